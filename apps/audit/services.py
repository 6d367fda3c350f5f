"""Writes of the audit app: its settings and the retention purge."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
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
