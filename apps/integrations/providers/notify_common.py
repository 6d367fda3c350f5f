"""What the notification connectors (Slack, Twilio SMS) share: which connections take a
message, and the message as plain text."""

from __future__ import annotations

from django.conf import settings as django_settings

from apps.integrations.models import Connection


def connections_for(provider: str, kind: str) -> list[Connection]:
    """Connected accounts of ``provider`` that take notifications of ``kind`` (settings
    ``kinds``: a list of kind codes; empty or missing = every kind)."""
    rows = Connection.objects.filter(provider=provider, status=Connection.Status.CONNECTED)
    return [c for c in rows if not c.settings.get("kinds") or kind in c.settings["kinds"]]


def absolute(url: str) -> str:
    """A page address as a link people can open from Slack or a phone."""
    if not url or "://" in url:
        return url
    base = getattr(django_settings, "INTEGRATIONS_LINK_BASE", "")
    if not base:
        from django.db import connection

        from apps.tenants.models import Domain

        domain = Domain.objects.filter(
            tenant__schema_name=connection.schema_name, is_primary=True
        ).first()
        base = f"https://{domain.domain}" if domain else ""
    return f"{base.rstrip('/')}{url}"


def plain_text(message, *, limit: int) -> str:
    parts = [message.title, message.body, absolute(message.url)]
    text = "\n".join(p for p in parts if p)
    return text if len(text) <= limit else text[: limit - 1] + "…"
