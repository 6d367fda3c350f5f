"""Reads for the integrations pages; each list is a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from apps.integrations.models import Connection, InboxEvent, SyncRun


def connections_with_health() -> QuerySet[Connection]:
    latest = SyncRun.objects.filter(connection=OuterRef("pk")).order_by("-started_at", "-id")
    return Connection.objects.annotate(
        last_run_state=Subquery(latest.values("state")[:1]),
        last_run_at=Subquery(latest.values("started_at")[:1]),
        last_run_message=Subquery(latest.values("message")[:1]),
        failed_runs=Count("runs", filter=Q(runs__state=SyncRun.State.FAILED), distinct=True),
    ).order_by("provider", "name")


def sync_runs(*, connection: Connection, state: str = "") -> QuerySet[SyncRun]:
    qs = SyncRun.objects.filter(connection=connection)
    if state in SyncRun.State.values:
        qs = qs.filter(state=state)
    return qs.order_by("-started_at", "-id")


def inbox_recent(*, connection: Connection, limit: int = 10) -> list[InboxEvent]:
    return list(
        InboxEvent.objects.filter(connection=connection)
        .only("event_id", "topic", "state", "error", "received_at", "processed_at")
        .order_by("-received_at", "-id")[:limit]
    )


def run_in_progress(*, connection: Connection) -> SyncRun | None:
    return (
        SyncRun.objects.filter(connection=connection, state=SyncRun.State.RUNNING)
        .order_by("-started_at")
        .first()
    )
