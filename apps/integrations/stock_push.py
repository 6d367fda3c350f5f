"""When stock changes, the channels hear about it.

Every ledger posting calls ``stock_changed`` (``apps.inventory.changes``, inside the
posting's transaction): one query finds whether any connection sells those variants, and if
so a job is queued for after the commit that starts a stock push on each of them. Changes
without a ledger move (reservations of orders) go out with the periodic push
(``stock_push_due``, every 5 minutes), which only runs where a channel is out of date. A
push sends what Stockroom has at that moment, so a push that comes twice changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from apps.core.jobs import job_enqueue
from apps.integrations.errors import IntegrationError
from apps.integrations.models import Connection, ExternalId
from apps.integrations.stock import stock_out_of_date
from apps.inventory.changes import on_stock_change

logger = logging.getLogger(__name__)

PUSHING = ("shopify", "woocommerce")


def _pushing_connections():
    return Connection.objects.filter(provider__in=PUSHING, status__in=["connected", "error"])


@on_stock_change
def stock_changed(moves: Sequence) -> None:
    """Cheap, inside the posting: one query, and a job only when a channel sells these SKUs."""
    variant_ids = sorted({m.variant_id for m in moves})
    connection_ids = sorted(
        set(
            ExternalId.objects.filter(
                entity="variant", local_id__in=variant_ids, connection__in=_pushing_connections()
            ).values_list("connection_id", flat=True)
        )
    )
    if connection_ids:
        job_enqueue(
            "apps.integrations.stock_push.stock_push_start",
            connection_ids,
            label="Push stock to channels",
        )


def stock_push_start(connection_ids: list[int]) -> int:
    """The job: start a stock push on each connection (one already running catches up next)."""
    from apps.integrations.sync import sync_run_start

    started = 0
    for connection in _pushing_connections().filter(pk__in=connection_ids):
        try:
            sync_run_start(connection=connection, entity="stock", trigger="stock change")
            started += 1
        except IntegrationError:
            pass
    return started


def stock_push_due() -> int:
    """Scheduled per company: start a stock push on every connection that pushes stock."""
    from apps.integrations.sync import sync_run_start

    started = 0
    for connection in _pushing_connections():
        if not stock_out_of_date(connection):
            continue  # nothing to send: no run, no noise in the sync log
        try:
            sync_run_start(connection=connection, entity="stock", trigger="schedule")
            started += 1
        except IntegrationError:
            pass
    return started
