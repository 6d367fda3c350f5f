"""ETag / If-Match for resources people edit concurrently (products, orders).

``GET`` answers with ``ETag: "<version>"``; a ``PUT``/``PATCH``/``DELETE`` that sends
``If-Match`` with an older version gets 412 and changes nothing, so two people editing the same
product cannot silently overwrite each other. Without ``If-Match`` the write goes ahead.
"""

from __future__ import annotations

import hashlib

from rest_framework import status
from rest_framework.exceptions import APIException


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "This was changed since you read it. GET it again and reapply your change."
    default_code = "precondition_failed"


def etag_of(instance, field: str = "updated_at") -> str:
    version = f"{instance.pk}:{getattr(instance, field).isoformat()}"
    return '"' + hashlib.sha256(version.encode()).hexdigest()[:20] + '"'


class ETagMixin:
    etag_field = "updated_at"

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag_of(self.get_object(), self.etag_field)
        return response

    def check_if_match(self, instance) -> None:
        wanted = self.request.headers.get("If-Match")
        if not wanted or wanted.strip() == "*":
            return
        current = etag_of(instance, self.etag_field)
        if current not in {tag.strip().removeprefix("W/") for tag in wanted.split(",")}:
            raise PreconditionFailed()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        instance = getattr(self, "_etag_instance", None)
        if instance is not None and response.status_code < 300:
            response["ETag"] = etag_of(instance, self.etag_field)
        return response
