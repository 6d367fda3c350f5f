"""Who is calling: an API key (``Authorization: Api-Key srk_…`` or ``X-Api-Key``), a JWT bound
to this company (``Authorization: Bearer …``), or the browser session (for the API docs)."""

from __future__ import annotations

from django.db import connection
from rest_framework import authentication, exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.services.api_keys import api_key_for_raw, api_key_touch
from apps.api.throttling import BadKeyThrottle


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        raw = request.META.get("HTTP_X_API_KEY", "")
        header = authentication.get_authorization_header(request).decode(errors="replace")
        if header.startswith(f"{self.keyword} "):
            raw = header[len(self.keyword) + 1 :].strip()
        if not raw:
            return None
        guesses = BadKeyThrottle()
        if guesses.refuses(request):
            raise exceptions.Throttled(guesses.wait())
        key = api_key_for_raw(raw)
        if key is None:
            guesses.count_failure(request)
            raise exceptions.AuthenticationFailed("This API key is unknown, expired or revoked.")
        api_key_touch(key=key)
        return key.created_by, key

    def authenticate_header(self, request):
        return self.keyword


class TenantJWTAuthentication(JWTAuthentication):
    """A token works only on the company that issued it: user ids repeat across schemas."""

    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        if token.get("tenant") != connection.schema_name:
            raise exceptions.AuthenticationFailed("This token belongs to another company.")
        return token


def tokens_for(user) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    refresh["tenant"] = connection.schema_name  # copied into every access token it mints
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser session, for the interactive docs; CSRF still applies to writes."""
