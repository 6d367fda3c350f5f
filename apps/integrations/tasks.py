"""Scheduled integration work, one job per company (see ensure_schedules: fan_out)."""

from __future__ import annotations

from apps.integrations.errors import IntegrationError
from apps.integrations.models import Connection
from apps.integrations.stock_push import stock_push_due  # noqa: F401  (scheduled by path)


def products_sync_due() -> int:
    """Hourly: incremental product (and, where offered, order) imports on every connected
    store. Webhooks bring changes at once; this catches deliveries a store never made."""
    from apps.integrations.sync import entities_for, sync_run_start

    started = 0
    for connection in Connection.objects.filter(
        provider__in=("shopify", "woocommerce"), status__in=("connected", "error")
    ):
        for entity in ("products", "orders"):
            if entity not in entities_for(connection.provider):
                continue
            try:
                sync_run_start(connection=connection, entity=entity, trigger="schedule")
                started += 1
            except IntegrationError:
                pass
    return started
