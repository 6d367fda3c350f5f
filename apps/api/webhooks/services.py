"""Subscribing URLs to events, emitting events, and delivering them (from the worker)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import secrets
import socket
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.api.models import WebhookDelivery, WebhookEndpoint
from apps.api.webhooks.events import EVENTS
from apps.api.webhooks.signing import sign
from apps.core.crypto import encrypt
from apps.core.errors import DomainError

# Waits after the 1st, 2nd … failed attempt; after the last one the delivery gives up.
BACKOFF = [dt.timedelta(minutes=m) for m in (1, 5, 30, 120, 360, 720, 1440)]
DISABLE_AFTER = 15  # consecutive failed attempts to one endpoint
TIMEOUT_SECONDS = 10
LEASE = dt.timedelta(minutes=5)
KEEP_LOG = dt.timedelta(days=90)  # finished deliveries stay in the log this long


class WebhookError(DomainError):
    pass


def _now() -> dt.datetime:
    return timezone.now()


def _check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise WebhookError("Give a full http(s):// address.", field="url")
    if parts.scheme == "http" and not settings.WEBHOOK_ALLOW_PRIVATE:
        raise WebhookError("Webhook addresses must use https://.", field="url")
    if not settings.WEBHOOK_ALLOW_PRIVATE and _is_private(parts.hostname):
        raise WebhookError(
            "This address points into a private network; use a public address.", field="url"
        )
    return url.strip()


def _is_private(host: str) -> bool:
    """Refuse internal targets (SSRF): loopback, private, link-local, reserved."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        return False  # unresolvable now; deliveries will fail and say so
    return any(
        (ip := ipaddress.ip_address(a)).is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        for a in addresses
    )


def _check_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise WebhookError(f"Unknown event: {', '.join(unknown)}.", field="events")
    if not events:
        raise WebhookError("Choose at least one event.", field="events")
    return sorted(set(events))


def webhook_endpoint_create(
    *, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        url=_check_url(url),
        events=_check_events(events),
        description=description.strip()[:200],
        secret_encrypted=encrypt(f"whsec_{secrets.token_urlsafe(32)}"),
    )


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, events: list[str], description: str, is_active: bool
) -> WebhookEndpoint:
    endpoint.url = _check_url(url)
    endpoint.events = _check_events(events)
    endpoint.description = description.strip()[:200]
    if is_active and not endpoint.is_active:
        endpoint.consecutive_failures, endpoint.disabled_reason = 0, ""
    endpoint.is_active = is_active
    endpoint.save()
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Delete it with its delivery log (nothing is sent to it any more)."""
    endpoint.delete()


def webhook_endpoint_test(*, endpoint: WebhookEndpoint) -> int:
    """Send it a ``webhook.test`` event (subscribing it to that event if it was not).
    Returns 0 when the endpoint is off, so the caller can say nothing was sent."""
    if "webhook.test" not in endpoint.events:
        endpoint.events = sorted([*endpoint.events, "webhook.test"])
        endpoint.save(update_fields=["events"])
    if not endpoint.is_active:
        return 0
    # To this endpoint only: other endpoints subscribed to webhook.test did not ask for it.
    return _queue(
        [endpoint], "webhook.test", {"message": "Hello from Stockroom", "endpoint": endpoint.pk}
    )


def webhook_event_emit(*, event: str, data: dict) -> int:
    """Queue ``event`` for every active endpoint subscribed to it, sent after commit.
    Returns how many deliveries were queued (0 costs one query)."""
    if event not in EVENTS:
        raise KeyError(f"Unknown webhook event {event!r}; add it to apps/api/webhooks/events.py")
    endpoints = [e for e in WebhookEndpoint.objects.filter(is_active=True) if event in e.events]
    if not endpoints:
        return 0
    return _queue(endpoints, event, data)


def _queue(endpoints: list[WebhookEndpoint], event: str, data: dict) -> int:
    event_id = uuid.uuid4()
    payload = json.loads(
        json.dumps(
            {"id": str(event_id), "type": event, "created": _now().isoformat(), "data": data},
            cls=DjangoJSONEncoder,
        )
    )
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=e, event_id=event_id, event=event, payload=payload, next_attempt_at=_now()
            )
            for e in endpoints
        ]
    )
    from apps.core.jobs import job_enqueue

    job_enqueue("apps.api.webhooks.services.deliveries_send_due", label="Webhook deliveries")
    return len(endpoints)


def webhook_deliveries_purge() -> int:
    """The daily job: drop finished deliveries (delivered or given up) older than 90 days.
    Pending and retrying ones stay whatever their age."""
    deleted, _ = WebhookDelivery.objects.filter(
        state__in=[WebhookDelivery.State.SUCCEEDED, WebhookDelivery.State.GAVE_UP],
        created_at__lt=_now() - KEEP_LOG,
    ).delete()
    return deleted


def webhook_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send it again now, as a new attempt (the log keeps the earlier ones' outcome)."""
    delivery.state = WebhookDelivery.State.PENDING
    delivery.next_attempt_at = _now()
    delivery.save(update_fields=["state", "next_attempt_at"])
    from apps.core.jobs import job_enqueue

    job_enqueue("apps.api.webhooks.services.deliveries_send_due", label="Webhook deliveries")
    return delivery


def _post(url: str, body: bytes, headers: dict) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, response.read(2000).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(2000).decode(errors="replace")


def delivery_attempt(*, delivery: WebhookDelivery) -> bool:
    """One attempt: POST the signed JSON; schedule a retry, give up, or disable the endpoint."""
    endpoint = delivery.endpoint
    if not WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).exists():
        return False  # turned off since it was claimed; it resumes if turned back on
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Stockroom-Webhooks/1",
        "Stockroom-Event": delivery.event,
        "Stockroom-Delivery": str(delivery.pk),
        "Stockroom-Signature": sign(endpoint.secret, body),
    }
    delivery.attempts += 1
    try:
        status, text = _post(endpoint.url, body, headers)
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except (OSError, ValueError) as exc:  # refused, timeout, DNS, TLS
        status, text, error = None, "", str(exc)[:500] or exc.__class__.__name__
    delivery.last_status_code, delivery.last_response, delivery.last_error = status, text, error
    endpoints = WebhookEndpoint.objects.filter(pk=endpoint.pk)
    if not error:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
            WebhookDelivery.State.SUCCEEDED,
            _now(),
            None,
        )
        endpoints.update(consecutive_failures=0)
    else:
        if delivery.attempts > len(BACKOFF):
            delivery.state, delivery.next_attempt_at = WebhookDelivery.State.GAVE_UP, None
        else:
            delivery.state = WebhookDelivery.State.FAILED
            delivery.next_attempt_at = _now() + BACKOFF[delivery.attempts - 1]
        endpoints.update(consecutive_failures=F("consecutive_failures") + 1)
        endpoint.refresh_from_db(fields=["consecutive_failures", "is_active"])
        if endpoint.is_active and endpoint.consecutive_failures >= DISABLE_AFTER:
            _disable(endpoint)
    delivery.save()
    return not error


def _disable(endpoint: WebhookEndpoint) -> None:
    endpoint.is_active = False
    endpoint.disabled_reason = (
        f"Turned off after {endpoint.consecutive_failures} failed deliveries in a row."
    )
    endpoint.save(update_fields=["is_active", "disabled_reason"])
    from apps.notifications.services import notification_send

    notification_send(
        kind="webhook_disabled",
        title=f"Webhook to {endpoint.url} was turned off",
        body=endpoint.disabled_reason + " Fix the receiver, then turn it back on.",
        url="/developers/webhooks/",
        dedupe_key=f"webhook-disabled:{endpoint.pk}:{endpoint.consecutive_failures}",
    )


def deliveries_send_due(limit: int = 100) -> int:
    """The job: attempt every delivery whose time has come.

    Rows are claimed in a short transaction (SKIP LOCKED, then leased for a few minutes) and
    sent outside it, so a slow receiver never holds locks; a worker that dies mid-way leaves
    its leased rows to be picked up when the lease ends.
    """
    sent = 0
    while True:
        now = _now()
        with transaction.atomic():
            batch = list(
                WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("endpoint")
                .filter(
                    state__in=[WebhookDelivery.State.PENDING, WebhookDelivery.State.FAILED],
                    next_attempt_at__lte=now,
                    endpoint__is_active=True,
                )
                .order_by("next_attempt_at", "pk")[:limit]
            )
            WebhookDelivery.objects.filter(pk__in=[d.pk for d in batch]).update(
                next_attempt_at=now + LEASE
            )
        if not batch:
            return sent
        for delivery in batch:
            if delivery.endpoint.is_active:
                sent += delivery_attempt(delivery=delivery)
