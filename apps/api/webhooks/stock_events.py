"""``stock.changed`` and ``stock.low`` from every ledger posting (see apps/inventory/changes.py).

One query when nobody subscribes; otherwise a few, whatever the number of moves. The
delivery rows are written in the posting's transaction, so a rolled-back document never
announces anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Sum

from apps.api.models import WebhookEndpoint
from apps.api.webhooks.services import webhook_event_emit
from apps.catalog.models import Variant
from apps.inventory.changes import on_stock_change
from apps.inventory.models import StockLevel

STOCK_EVENTS = {"stock.changed", "stock.low"}


def _subscribed() -> set[str]:
    wanted: set[str] = set()
    for events in WebhookEndpoint.objects.filter(is_active=True).values_list("events", flat=True):
        wanted.update(STOCK_EVENTS.intersection(events or ()))
    return wanted


def _q(value) -> str:
    return f"{Decimal(value):.3f}"


@on_stock_change
def stock_events_emit(moves: Sequence) -> None:
    wanted = _subscribed()
    if not wanted:
        return
    variant_ids = sorted({m.variant_id for m in moves})
    if "stock.changed" in wanted:
        _changed(moves, variant_ids)
    if "stock.low" in wanted:
        _low(moves, variant_ids)


def _changed(moves: Sequence, variant_ids: list[int]) -> None:
    levels = {
        (row["variant_id"], row["location_id"]): row
        for row in StockLevel.objects.filter(
            variant_id__in=variant_ids, location_id__in={m.location_id for m in moves}
        ).values(
            "variant_id",
            "location_id",
            "on_hand",
            "reserved",
            "variant__sku",
            "location__code",
            "location__warehouse__code",
        )
    }
    changes = []
    for move in moves:
        level = levels.get((move.variant_id, move.location_id), {})
        changes.append(
            {
                "move": move.pk,
                "kind": move.kind,
                "variant": move.variant_id,
                "sku": level.get("variant__sku", ""),
                "location": move.location_id,
                "location_code": level.get("location__code", ""),
                "warehouse": level.get("location__warehouse__code", ""),
                "quantity": _q(move.quantity),
                "on_hand": _q(level.get("on_hand", 0)),
                "available": _q(level.get("on_hand", 0) - level.get("reserved", 0)),
            }
        )
    webhook_event_emit(event="stock.changed", data={"changes": changes})


def _low(moves: Sequence, variant_ids: list[int]) -> None:
    delta: dict[int, Decimal] = defaultdict(Decimal)
    for move in moves:
        delta[move.variant_id] += Decimal(move.quantity)
    falling = [v for v in variant_ids if delta[v] < 0]
    if not falling:
        return
    totals = dict(
        StockLevel.objects.filter(variant_id__in=falling)
        .values("variant_id")
        .annotate(total=Sum("on_hand"))
        .values_list("variant_id", "total")
    )
    for variant in Variant.objects.filter(pk__in=falling, reorder_point__gt=0).order_by("pk"):
        after = totals.get(variant.pk) or Decimal(0)
        before = after - delta[variant.pk]
        if after <= variant.reorder_point < before:
            webhook_event_emit(
                event="stock.low",
                data={
                    "variant": variant.pk,
                    "sku": variant.sku,
                    "on_hand": _q(after),
                    "reorder_point": _q(variant.reorder_point),
                },
            )
