"""Inbound webhooks: store once, process in a job, never twice.

The view has checked the signature. ``inbox_receive`` stores the raw delivery keyed by the
provider's event/delivery id: the unique constraint turns a replay into a no-op (answered 200
all the same, so the provider stops retrying). ``inbox_process`` runs in a job, locks the
row, hands it to the provider module, and records the outcome on the row (and, when records
changed or failed, as a run in the sync log).
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.jobs import job_enqueue
from apps.integrations.errors import IntegrationError
from apps.integrations.models import Connection, InboxEvent, SyncRun

logger = logging.getLogger(__name__)

# Headers worth keeping with the raw body (never Authorization or cookies).
KEPT_HEADERS = (
    "Content-Type",
    "X-Shopify-Topic",
    "X-Shopify-Shop-Domain",
    "X-Shopify-Event-Id",
    "X-Shopify-Webhook-Id",
    "X-Shopify-Triggered-At",
    "X-WC-Webhook-Topic",
    "X-WC-Webhook-Delivery-ID",
    "X-WC-Webhook-Source",
    "Stripe-Signature",
)


class MemoryRecorder:
    """The Recorder interface for one webhook: counts kept in memory, saved once at the end."""

    def __init__(self):
        self.created = self.updated = self.skipped = self.failed = 0
        self.errors: list[dict] = []

    def count(self, outcome: str, n: int = 1) -> None:
        setattr(self, outcome, getattr(self, outcome) + n)

    def fail(self, record: str, message: str) -> None:
        self.failed += 1
        self.errors.append({"record": record[:200], "message": message[:500]})

    def progress(self, percent: int, message: str) -> None:
        pass


def inbox_receive(
    *, connection: Connection, event_id: str, topic: str, headers: dict, body: bytes
) -> tuple[InboxEvent, bool]:
    """Store a verified delivery; ``(event, False)`` when this id was already received."""
    kept = {name: headers[name] for name in KEPT_HEADERS if name in headers}
    text = body.decode("utf-8", errors="replace")
    try:
        with transaction.atomic():
            event = InboxEvent.objects.create(
                connection=connection,
                event_id=event_id[:200],
                topic=topic[:100],
                headers=kept,
                body=text,
            )
            job_enqueue("apps.integrations.inbox.inbox_process", event.pk, label=f"Webhook {topic}")
    except IntegrityError:
        existing = InboxEvent.objects.get(connection=connection, event_id=event_id[:200])
        return existing, False
    return event, True


def inbox_process(event_id: int) -> str:
    """The job: process one stored delivery exactly once."""
    from apps.integrations.providers import provider_module

    with transaction.atomic():
        event = (
            InboxEvent.objects.select_for_update()
            .select_related("connection")
            .filter(pk=event_id, state=InboxEvent.State.PENDING)
            .first()
        )
        if event is None:
            return "already processed"
        connection = event.connection
        if connection.status == Connection.Status.PAUSED:
            return "paused"  # stays pending; connection_resume queues it again
        recorder = MemoryRecorder()
        handle = provider_module(connection.provider).webhook_handle
        try:
            with transaction.atomic():
                outcome = handle(connection, event, recorder)
        except (IntegrationError, ValueError, KeyError) as exc:
            event.state, event.error = InboxEvent.State.FAILED, str(exc)[:1000]
            recorder.fail(f"{event.topic} {event.event_id}", str(exc))
            outcome = "failed"
        else:
            if recorder.failed:  # e.g. an order with an unknown SKU: "Process again" later
                event.state = InboxEvent.State.FAILED
                event.error = recorder.errors[0]["message"] if recorder.errors else "failed"
            elif outcome == "ignored":
                event.state, event.error = InboxEvent.State.IGNORED, ""
            else:
                event.state, event.error = InboxEvent.State.PROCESSED, ""
        event.result = str(outcome)[:300]
        event.processed_at = timezone.now()
        event.save(update_fields=["state", "error", "result", "processed_at"])
        if recorder.created or recorder.updated or recorder.failed:
            SyncRun.objects.create(
                connection=connection,
                entity="webhook",
                trigger=event.topic[:20],
                state=SyncRun.State.FAILED if event.state == "failed" else SyncRun.State.SUCCEEDED,
                created=recorder.created,
                updated=recorder.updated,
                skipped=recorder.skipped,
                failed=recorder.failed,
                errors=recorder.errors,
                message=f"Webhook {event.topic}: {outcome}"[:500],
                finished_at=timezone.now(),
            )
    return outcome


def inbox_requeue_pending(*, connection: Connection) -> int:
    """Queue the deliveries that waited while the connection was paused."""
    ids = list(
        InboxEvent.objects.filter(
            connection=connection, state=InboxEvent.State.PENDING
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        job_enqueue("apps.integrations.inbox.inbox_process", pk, label="Webhook (after pause)")
    return len(ids)


def inbox_retry(*, event: InboxEvent) -> None:
    """Process a failed delivery again (after the cause was fixed)."""
    if event.state != InboxEvent.State.FAILED:
        raise IntegrationError("Only a failed webhook can be processed again.")
    with transaction.atomic():
        InboxEvent.objects.filter(pk=event.pk).update(state=InboxEvent.State.PENDING, error="")
        job_enqueue("apps.integrations.inbox.inbox_process", event.pk, label="Webhook (retry)")
