"""Writes of the audit app: its settings and the retention purge."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from apps.audit.models import AuditEvent, AuditSettings
from apps.core.errors import DomainError

MIN_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 3650


class AuditError(DomainError):
    pass


def _now():
    return timezone.now()


@transaction.atomic
def audit_settings_update(*, retention_days: int) -> AuditSettings:
    if not MIN_RETENTION_DAYS <= retention_days <= MAX_RETENTION_DAYS:
        raise AuditError(
            f"Keep the log between {MIN_RETENTION_DAYS} and {MAX_RETENTION_DAYS} days."
        )
    settings = AuditSettings.current()
    settings.retention_days = retention_days
    settings.save(update_fields=["retention_days"])
    return settings


def audit_purge() -> int:
    """Delete the events older than the company's retention period. Returns how many."""
    cutoff = _now() - timedelta(days=AuditSettings.retention())
    deleted, _ = AuditEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


ERASED = "(erased)"


@transaction.atomic
def audit_history_erase(*, table: str, pk, fields: list[str]) -> int:
    """Replace the before/after values of ``fields`` in a record's history with "(erased)"
    (a customer's right to erasure). Which events and fields remain visible; only the
    values go. The audit table refuses every other edit. Returns the events changed."""
    events = list(
        AuditEvent.objects.select_for_update().filter(table_name=table, record_pk=str(pk))
    )
    changed = []
    for event in events:
        touched = False
        for field in fields:
            if field in event.changes:
                event.changes[field] = [None if v is None else ERASED for v in event.changes[field]]
                touched = True
        if touched:
            changed.append(event)
    if changed:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('stockroom.audit_erase', 'on', true)")
        AuditEvent.objects.bulk_update(changed, ["changes"])
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('stockroom.audit_erase', '', true)")
    return len(changed)
