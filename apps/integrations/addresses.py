"""Store and API addresses people type: https only, and never into a private network (SSRF),
except in development and tests (``WEBHOOK_ALLOW_PRIVATE``), where the fake stores live."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from apps.integrations.errors import IntegrationError


def _is_private(host: str) -> bool:
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        return False  # unresolvable now: the connection check that follows fails in words
    return any(
        (ip := ipaddress.ip_address(a)).is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        for a in addresses
    )


def base_url_clean(value: str, *, field: str = "url") -> str:
    value = (value or "").strip().rstrip("/")
    if value and "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    if not parts.hostname or parts.scheme not in ("http", "https"):
        raise IntegrationError(
            "Enter the store's address, e.g. https://shop.example.com.", field=field
        )
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        if parts.scheme != "https":
            raise IntegrationError(
                "The store's address must start with https:// (keys are never sent unencrypted).",
                field=field,
            )
        if _is_private(parts.hostname):
            raise IntegrationError(
                "This address points into a private network; use the store's public address.",
                field=field,
            )
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
