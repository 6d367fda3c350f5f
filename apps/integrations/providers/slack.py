"""Slack: an incoming webhook as a company-wide notification channel.

Connect with the webhook URL Slack gives when the app is added to a channel
(``https://hooks.slack.com/services/T…/B…/…``). The URL is the credential: it is stored
encrypted, never shown again and never logged (httpx's own request log is filtered below).
Connecting posts a "connected" message, so a wrong or revoked URL fails at once, in words.
Notifications (rules, failed syncs) go out as jobs: ``notify`` queues one post per connected
workspace that takes the message's kind.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from apps.core.jobs import job_enqueue
from apps.integrations.errors import ApiError, IntegrationError
from apps.integrations.http_client import ApiClient
from apps.integrations.models import Connection, Provider
from apps.integrations.providers.notify_common import absolute, connections_for
from apps.integrations.services import connection_create, connection_error, credentials_of

SLACK_HOST = "hooks.slack.com"
# Slack's answers to a webhook post, in words (https://api.slack.com/messaging/webhooks).
ERRORS = {
    "invalid_payload": "Slack could not read the message.",
    "invalid_token": "Slack no longer accepts this webhook URL: add the app to the channel again.",
    "no_service": "This webhook was removed in Slack: create a new one and reconnect.",
    "no_team": "The Slack workspace of this webhook no longer exists.",
    "team_disabled": "The Slack workspace of this webhook was disabled.",
    "channel_not_found": "The Slack channel of this webhook no longer exists.",
    "channel_is_archived": "The Slack channel of this webhook was archived.",
    "action_prohibited": "A Slack admin blocked posting to this channel.",
    "posting_to_general_channel_denied": "Only admins may post to this Slack channel.",
}


class _HideWebhookUrls(logging.Filter):
    """httpx logs each request's full URL; a Slack webhook URL is a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not any("/services/" in str(a) for a in args)


for _name in ("httpx", "apps.integrations.http_client"):
    _logger = logging.getLogger(_name)
    if not any(isinstance(f, _HideWebhookUrls) for f in _logger.filters):
        _logger.addFilter(_HideWebhookUrls())


def webhook_url_clean(value: str) -> str:
    value = (value or "").strip()
    parts = urlsplit(value)
    local = settings.WEBHOOK_ALLOW_PRIVATE and parts.hostname in ("127.0.0.1", "localhost")
    if not local and (parts.scheme != "https" or parts.hostname != SLACK_HOST):
        raise IntegrationError(
            "Enter the webhook URL Slack gave you: it starts with "
            "https://hooks.slack.com/services/.",
            field="webhook_url",
        )
    if not parts.path.startswith("/services/") or parts.path.count("/") < 4:
        raise IntegrationError(
            "That is not a complete Slack webhook URL (https://hooks.slack.com/services/T…/B…/…).",
            field="webhook_url",
        )
    return value


def _post(webhook_url: str, payload: dict) -> None:
    parts = urlsplit(webhook_url)
    base = f"{parts.scheme}://{parts.netloc}"
    with ApiClient(base_url=base, label="Slack", max_attempts=4) as client:
        try:
            client.post(parts.path, json=payload)
        except ApiError as exc:
            raise _explained(exc) from None


def _explained(exc: ApiError) -> IntegrationError:
    for code, text in ERRORS.items():
        if code in exc.message:
            return ApiError(text, status=exc.status)
    return exc


def connection_connect(
    *, name: str, webhook_url: str, kinds: list[str] | None = None
) -> Connection:
    url = webhook_url_clean(webhook_url)
    _post(url, {"text": "Stockroom is connected: notifications will arrive in this channel."})
    with transaction.atomic():
        return connection_create(
            provider=Provider.SLACK,
            name=name or "Slack",
            credentials={"webhook_url": url},
            settings={"kinds": list(kinds or [])},
        )


def payload_for(message) -> dict:
    link = absolute(message.url)
    title = f"<{link}|{_escape(message.title)}>" if link else _escape(message.title)
    text = f"*{title}*" + (f"\n{_escape(message.body)}" if message.body else "")
    return {
        "text": message.title,  # the notification preview
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}],
    }


def _escape(text: str) -> str:
    """Slack's three control characters (https://api.slack.com/reference/surfaces/formatting)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def notify(message) -> int:
    """The notification channel: one queued post per Slack connection taking this kind."""
    targets = connections_for(Provider.SLACK, message.kind)
    for connection in targets:
        job_enqueue(
            "apps.integrations.providers.slack.slack_send",
            connection.pk,
            payload_for(message),
            label=f"Slack: {message.title}"[:100],
        )
    return len(targets)


def slack_send(connection_id: int, payload: dict) -> str:
    """The job: post one message; a refused URL marks the connection as failing."""
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None or connection.status != Connection.Status.CONNECTED:
        return "skipped: not connected"
    try:
        _post(credentials_of(connection)["webhook_url"], payload)
    except IntegrationError as exc:
        connection_error(connection=connection, message=exc.message)
        return f"failed: {exc.message}"
    return "sent"
