"""Idempotent POSTs and usage counting for /api/.

A POST with ``Idempotency-Key`` runs once per credential and key: a repeat with the same
body gets the first response again (``Idempotent-Replayed: true``); a repeat with another
body gets 422; a repeat while the first is still running gets 409. Server errors are not
remembered, so the client can retry them. A response that carries a secret (a webhook's
signing secret) is remembered encrypted.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from apps.api.exceptions import error_body
from apps.api.models import IdempotencyRecord
from apps.core.crypto import PREFIX as CRYPTO_PREFIX
from apps.core.crypto import decrypt, encrypt

API_PREFIX = "/api/"


def _sha(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


def _credential(request) -> str:
    from django.conf import settings

    return _sha(
        request.META.get("HTTP_AUTHORIZATION", ""),
        request.META.get("HTTP_X_API_KEY", ""),
        request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""),
    )


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX) or connection.schema_name == "public":
            return self.get_response(request)
        key = request.headers.get("Idempotency-Key", "")
        if request.method == "POST" and key:
            response = self._idempotent(request, key)
        else:
            response = self.get_response(request)
        self._count(request, response)
        return response

    def _idempotent(self, request, key: str):
        if len(key) > 200:
            return JsonResponse(
                error_body("invalid", "Idempotency-Key must be at most 200 characters."),
                status=400,
            )
        owner = _credential(request)
        fingerprint = _sha(request.method, request.get_full_path(), request.body)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    owner=owner, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            return self._replay(owner, key, fingerprint)
        response = self.get_response(request)
        if response.status_code >= 500 or getattr(response, "streaming", False):
            record.delete()
            return response
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        record.state = IdempotencyRecord.State.DONE
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "")[:100]
        record.body = response.content
        if getattr(response, "holds_secret", False):
            # A signing secret shown once must not sit in plain text in this table.
            record.body = encrypt(response.content.decode()).encode()
        record.save(update_fields=["state", "status_code", "content_type", "body"])
        return response

    @staticmethod
    def _replay(owner: str, key: str, fingerprint: str):
        record = IdempotencyRecord.objects.get(owner=owner, key=key)
        if record.fingerprint != fingerprint:
            return JsonResponse(
                error_body(
                    "idempotency_key_reused",
                    "This Idempotency-Key was used with a different request. Use a new key.",
                ),
                status=422,
            )
        if record.state == IdempotencyRecord.State.RUNNING:
            response = JsonResponse(
                error_body("in_progress", "The first request with this key is still running."),
                status=409,
            )
            response["Retry-After"] = "1"
            return response
        body = bytes(record.body or b"")
        if body.startswith(CRYPTO_PREFIX.encode()):
            body = decrypt(body.decode()).encode()
        response = HttpResponse(body, status=record.status_code, content_type=record.content_type)
        response["Idempotent-Replayed"] = "true"
        return response

    @staticmethod
    def _count(request, response) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        from apps.accounts.models import ApiKey

        auth = getattr(request, "auth", None)
        key_id = auth.pk if isinstance(auth, ApiKey) else None
        error = 1 if response.status_code >= 400 else 0
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO api_apiusage (day, api_key_id, user_id, requests, errors)
                VALUES (%s, %s, %s, 1, %s)
                ON CONFLICT (day, api_key_id, user_id)
                DO UPDATE SET requests = api_apiusage.requests + 1,
                              errors = api_apiusage.errors + EXCLUDED.errors
                """,
                [timezone.now().date(), key_id, user.pk, error],
            )
