"""Platform-level scheduled tasks (run by the worker in the public schema)."""

from __future__ import annotations

from django.utils import timezone

from apps.core.models import WorkerHeartbeat


def heartbeat() -> None:
    """Touched every minute by a schedule; the console shows how long ago it ran."""
    WorkerHeartbeat.objects.update_or_create(name="cluster", defaults={"beat_at": timezone.now()})
