"""What a channel should show as available: Stockroom's stock, per warehouse, whole units.

Stockroom owns stock quantities (docs/integrations.md): a channel's own count is only read to
compare-and-set, never imported.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal

from django.db.models import F, Sum

from apps.integrations.models import Connection, ExternalId
from apps.inventory.models import Location, StockLevel

# Balances changed in a transaction that committed after a push started still carry a
# timestamp from before it: look back this far beyond the last push (pushing is idempotent).
OVERLAP = dt.timedelta(minutes=10)


def available_by_warehouse(
    variant_ids: list[int], warehouse_ids: list[int]
) -> dict[tuple[int, int], int]:
    """{(variant_id, warehouse_id): available whole units ≥ 0}; goods in transit excluded."""
    rows = (
        StockLevel.objects.filter(
            variant_id__in=variant_ids, location__warehouse_id__in=warehouse_ids
        )
        .exclude(location__kind=Location.Kind.TRANSIT)
        .values("variant_id", "location__warehouse_id")
        .annotate(available=Sum(F("on_hand") - F("reserved")))
    )
    result = {}
    for row in rows:
        units = Decimal(row["available"] or 0).to_integral_value(rounding=ROUND_FLOOR)
        result[(row["variant_id"], row["location__warehouse_id"])] = max(0, int(units))
    return result


def mapped_variants(
    connection: Connection, warehouse_ids: list[int], since: dt.datetime | None
) -> list[ExternalId]:
    """The connection's mapped variants, or only those whose stock changed since ``since``."""
    qs = ExternalId.objects.filter(connection=connection, entity="variant")
    if since is not None:
        changed = StockLevel.objects.filter(
            location__warehouse_id__in=warehouse_ids, updated_at__gte=since - OVERLAP
        ).values("variant_id")
        qs = qs.filter(local_id__in=changed)
    return list(qs.order_by("local_id"))


def connection_warehouses(connection: Connection) -> list[int]:
    """The warehouses feeding this connection (settings["locations"])."""
    return [
        int(m["warehouse_id"])
        for m in connection.settings.get("locations") or []
        if m.get("warehouse_id")
    ]


def location_key(mapping_row: dict) -> str:
    return mapping_row.get("location_id") or "default"


def pushed_get(link: ExternalId, key: str) -> int | None:
    return (link.data.get("pushed") or {}).get(key)


def pushed_set(link: ExternalId, key: str, quantity: int) -> None:
    """Remember what the channel was last set to (what ``stock_out_of_date`` compares with)."""
    data = {**link.data, "pushed": {**(link.data.get("pushed") or {}), key: quantity}}
    ExternalId.objects.filter(pk=link.pk).update(data=data)
    link.data = data


def stock_out_of_date(connection: Connection) -> bool:
    """Does any variant changed since the last push now differ from what was pushed?"""
    mapping = [m for m in connection.settings.get("locations") or [] if m.get("warehouse_id")]
    if not mapping:
        return False
    since = (connection.sync_state.get("stock") or {}).get("pushed_until")
    warehouses = [int(m["warehouse_id"]) for m in mapping]
    links = mapped_variants(
        connection, warehouses, dt.datetime.fromisoformat(since) if since else None
    )
    if not links:
        return False
    available = available_by_warehouse([link.local_id for link in links], warehouses)
    return any(
        pushed_get(link, location_key(m))
        != available.get((link.local_id, int(m["warehouse_id"])), 0)
        for link in links
        for m in mapping
    )
