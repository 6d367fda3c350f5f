"""Store and API addresses people type: https only, except local ones in development/tests."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from apps.integrations.errors import IntegrationError


def base_url_clean(value: str, *, field: str = "url") -> str:
    value = (value or "").strip().rstrip("/")
    if value and "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    if not parts.hostname or parts.scheme not in ("http", "https"):
        raise IntegrationError(
            "Enter the store's address, e.g. https://shop.example.com.", field=field
        )
    local = parts.hostname in ("127.0.0.1", "localhost")
    if parts.scheme != "https" and not (local and settings.WEBHOOK_ALLOW_PRIVATE):
        raise IntegrationError(
            "The store's address must start with https:// (keys are never sent unencrypted).",
            field=field,
        )
    if local and not settings.WEBHOOK_ALLOW_PRIVATE:
        raise IntegrationError("A store on this machine cannot be connected.", field=field)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
