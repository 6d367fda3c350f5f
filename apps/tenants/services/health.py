"""How the job queue is doing, for the console."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import Failure

from apps.core.models import JobProgress, WorkerHeartbeat

STALE_AFTER = timedelta(minutes=3)


def queue_health() -> dict:
    beat = WorkerHeartbeat.objects.filter(name="cluster").first()
    now = timezone.now()
    return {
        "queued": get_broker().queue_size(),
        "failed_count": Failure.objects.count(),
        "recent_failures": list(Failure.objects.order_by("-stopped")[:5]),
        "failed_jobs": list(
            JobProgress.objects.filter(state=JobProgress.State.FAILED).order_by("-created_at")[:5]
        ),
        "last_heartbeat": beat.beat_at if beat else None,
        "worker_alive": bool(beat and now - beat.beat_at < STALE_AFTER),
    }
