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


def outbound_webhooks_with_health() -> list:
    """The company's own webhook endpoints (apps/api) with what their deliveries say: one
    query whatever their number. ``health``: disabled / failing / healthy / unused."""
    from apps.api.models import WebhookDelivery, WebhookEndpoint

    latest = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-pk")
    endpoints = list(
        WebhookEndpoint.objects.annotate(
            last_state=Subquery(latest.values("state")[:1]),
            last_at=Subquery(latest.values("created_at")[:1]),
            last_error=Subquery(latest.values("last_error")[:1]),
            waiting=Count(
                "deliveries",
                filter=Q(deliveries__state__in=["pending", "failed"]),
                distinct=True,
            ),
            gave_up=Count("deliveries", filter=Q(deliveries__state="gave_up"), distinct=True),
        )
        .only("url", "description", "is_active", "disabled_reason", "consecutive_failures")
        .order_by("url", "pk")
    )
    for endpoint in endpoints:
        if not endpoint.is_active:
            endpoint.health, endpoint.health_label = "disabled", "Disabled"
        elif endpoint.consecutive_failures or endpoint.last_state in ("failed", "gave_up"):
            endpoint.health, endpoint.health_label = "error", "Failing"
        elif endpoint.last_state is None:
            endpoint.health, endpoint.health_label = "unused", "No deliveries yet"
        else:
            endpoint.health, endpoint.health_label = "connected", "Healthy"
    return endpoints
