"""Scheduled API housekeeping, one job per company (see ensure_schedules: fan_out)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.api.models import IdempotencyRecord

# How long a POST's Idempotency-Key is remembered (as long as clients retry, not forever: the
# table holds whole response bodies).
IDEMPOTENCY_KEEP = dt.timedelta(hours=24)


def _now() -> dt.datetime:
    return timezone.now()


def idempotency_records_purge() -> int:
    """Forget Idempotency-Keys older than a day; a later POST with one runs as new."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=_now() - IDEMPOTENCY_KEEP).delete()
    return deleted
