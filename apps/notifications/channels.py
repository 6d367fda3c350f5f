"""Where a rule's message goes. One interface, several channels.

In-app and email are two deliveries of the same ``Notification`` row (each person's
preferences, quiet hours and digest decide which they get), so they go out together through
``notification_send``. Company-wide channels (Slack incoming webhook, SMS via Twilio) arrive
with the integrations issue: they subclass ``Channel`` and call ``channel_register``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    kind: str  # a code from apps/notifications/kinds.py
    title: str
    body: str = ""
    url: str = ""
    dedupe_key: str = ""
    users: list | None = field(default=None, compare=False)  # None: the kind's roles


class Channel:
    code: str = ""
    label: str = ""
    personal = False  # delivered per person through their preferences

    def deliver(self, message: Message) -> int:
        """Send it; return how many deliveries were made."""
        raise NotImplementedError


class ConnectorChannel(Channel):
    """A company-wide channel an integration provides (Slack, SMS): it joins every delivery;
    ``func_path(message)`` sends to each connected account that takes the message's kind."""

    automatic = True

    def __init__(self, code: str, label: str, func_path: str):
        self.code, self.label, self.func_path = code, label, func_path

    def deliver(self, message: Message) -> int:
        from django.utils.module_loading import import_string

        return import_string(self.func_path)(message)


class InAppChannel(Channel):
    code, label, personal = "in_app", "In the app (the bell)", True

    def deliver(self, message: Message) -> int:
        from apps.notifications.services import notification_send

        return len(notification_send(email=False, **_args(message)))


class EmailChannel(Channel):
    """Email, and the bell too (an email is a delivery of an in-app notification)."""

    code, label, personal = "email", "Email", True

    def deliver(self, message: Message) -> int:
        from apps.notifications.services import notification_send

        return len(notification_send(email=True, **_args(message)))


def _args(message: Message) -> dict:
    return {
        "kind": message.kind,
        "title": message.title,
        "body": message.body,
        "url": message.url,
        "users": message.users,
        "dedupe_key": message.dedupe_key,
    }


CHANNELS: dict[str, Channel] = {c.code: c for c in (InAppChannel(), EmailChannel())}


def channel_register(channel: Channel) -> None:
    CHANNELS[channel.code] = channel


channel_register(ConnectorChannel("slack", "Slack", "apps.integrations.providers.slack.notify"))
channel_register(
    ConnectorChannel("sms", "SMS (Twilio)", "apps.integrations.providers.twilio.notify")
)


def deliver(message: Message, codes: Iterable[str]) -> int:
    """Send ``message`` on the chosen channels; unknown codes are ignored (a connector
    that was removed must not stop the others)."""
    codes = set(codes) | {c.code for c in CHANNELS.values() if getattr(c, "automatic", False)}
    personal = "email" if "email" in codes else "in_app" if "in_app" in codes else None
    count = CHANNELS[personal].deliver(message) if personal else 0
    for code in sorted(codes - {"in_app", "email"}):
        if code in CHANNELS:
            count += CHANNELS[code].deliver(message)
    return count
