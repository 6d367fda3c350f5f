"""When stock changes, the channels hear about it.

Arrivals (receipts, returns, found stock) push at once: the ledger announces them after
commit (``apps.inventory.arrivals``) and we start a stock push for every connection that
sells one of those variants. Decreases (shipments, reservations) go out with the periodic
push (``stock_push_due``, every few minutes), which sends what changed since the last push.
Either way a push sends what Stockroom has now, so a push that comes twice changes nothing.
"""

from __future__ import annotations

import logging

from apps.integrations.errors import IntegrationError
from apps.integrations.models import Connection, ExternalId
from apps.integrations.stock import stock_out_of_date
from apps.inventory.arrivals import on_stock_arrival

logger = logging.getLogger(__name__)

PUSHING = ("shopify", "woocommerce")


def _pushing_connections():
    return Connection.objects.filter(provider__in=PUSHING, status__in=["connected", "error"])


@on_stock_arrival
def stock_push_on_arrival(variant_ids: list[int]) -> None:
    from apps.integrations.sync import sync_run_start

    connection_ids = set(
        ExternalId.objects.filter(
            entity="variant", local_id__in=variant_ids, connection__in=_pushing_connections()
        ).values_list("connection_id", flat=True)
    )
    for connection in Connection.objects.filter(pk__in=connection_ids):
        try:
            sync_run_start(connection=connection, entity="stock", trigger="stock change")
        except IntegrationError:  # a push is running: the next periodic push catches up
            pass


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
