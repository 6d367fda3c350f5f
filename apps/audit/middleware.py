"""Attributes every write of a request to who made it, from where; logs file downloads."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import get_public_schema_name

from apps.audit.context import Actor, actor_context


def request_actor(request) -> Actor:
    ip = request.META.get("REMOTE_ADDR", "")
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    user = getattr(request, "user", None)
    key = getattr(request, "auth", None)
    if key is not None and key.__class__.__name__ == "ApiKey":
        return Actor(
            kind="api_key",
            id=str(key.created_by_id),
            label=f"{user.email if user else ''} (API key {key.prefix}…)",
            ip=ip,
            user_agent=user_agent,
        )
    if user is not None and user.is_authenticated:
        return Actor(kind="user", id=str(user.pk), label=user.email, ip=ip, user_agent=user_agent)
    if request.path.startswith("/hooks/"):
        return Actor(kind="integration", label="webhook " + request.path[7:60], ip=ip)
    return Actor(kind="user", label="anonymous", ip=ip, user_agent=user_agent)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with actor_context(lambda: request_actor(request)):
            response = self.get_response(request)
            if _is_download(response) and connection.schema_name != get_public_schema_name():
                from apps.audit.security import export_recorded

                export_recorded(request=request, response=response)
        return response


def _is_download(response) -> bool:
    return response.status_code == 200 and "attachment" in response.get("Content-Disposition", "")
