"""Reserving stock for order lines, and filling backorders when stock arrives.

Which stock a line gets: the order's chosen warehouse if it has one; otherwise the
company's allocation rule — the customer's preferred warehouse (or the company's
default) first, then the other warehouses with the most available stock of the
variant. Within a warehouse the locations with the most available go first. Transit
locations never count. Whatever cannot be reserved stays on the line as a backorder
(``quantity − shipped − allocated``).

Concurrency: before reserving, the stock levels of every variant involved are locked
with one ``SELECT … FOR UPDATE`` in the ledger's global order (variant, location), after
the order row. So two confirmations on the same scarce stock queue up instead of
deadlocking, each sees what the other left, and the guarded UPDATE in
``reservation_create`` is the last word against overselling.

Backorders fill from ``apps.inventory.arrivals`` (registered in ``SalesConfig.ready``):
a job after each posting that added stock walks the open lines waiting for those
variants, oldest confirmed order first, one transaction per order. Orders on hold wait
until released.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from apps.inventory.models import Location, Reservation, StockLevel
from apps.inventory.services import InsufficientStock, reservation_create, reservation_release
from apps.sales.config import sales_settings
from apps.sales.models import SalesOrder, SalesOrderLine, SalesSettings

ZERO = Decimal("0")
LINE_REFERENCE = "sales_order_line"
Rule = SalesSettings.Allocation


def lock_levels(variant_ids: Iterable[int]) -> dict[int, list[tuple[int, int, int, Decimal]]]:
    """Lock every stock level of these variants (ledger order) and return, per variant,
    ``(level_id, location_id, warehouse_id, available)`` for places with stock available."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = list(
        StockLevel.objects.select_for_update(of=("self",))
        .filter(variant_id__in=ids)
        .order_by("variant_id", "location_id")
        .values_list(
            "pk",
            "variant_id",
            "location_id",
            "location__warehouse_id",
            "location__kind",
            "location__is_active",
            "on_hand",
            "reserved",
        )
    )
    places: dict[int, list] = defaultdict(list)
    for pk, variant_id, location_id, warehouse_id, kind, active, on_hand, reserved in rows:
        available = on_hand - reserved
        if available > 0 and active and kind != Location.Kind.TRANSIT:
            places[variant_id].append((pk, location_id, warehouse_id, available))
    return places


def _warehouse_order(
    order: SalesOrder, places: list[tuple[int, int, int, Decimal]], settings: SalesSettings
) -> list[int]:
    if order.warehouse_id:
        return [order.warehouse_id]
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for _pk, _loc, warehouse_id, available in places:
        totals[warehouse_id] += available
    by_stock = sorted(totals, key=lambda w: (-totals[w], w))
    preferred = order.customer.preferred_warehouse_id or settings.default_warehouse_id
    if settings.allocation_rule == Rule.MOST_STOCK or not preferred:
        return by_stock
    if settings.allocation_rule == Rule.PREFERRED_ONLY:
        return [preferred]
    return [preferred, *[w for w in by_stock if w != preferred]]


def lines_reserve(
    *, order: SalesOrder, lines: Sequence[SalesOrderLine], settings: SalesSettings | None = None
) -> dict[int, Decimal]:
    """Reserve what each line still lacks. Call inside a transaction holding the order's
    row lock. Returns the quantity newly reserved per line id."""
    settings = settings or sales_settings()
    wanting = [line for line in lines if line.backordered_quantity > 0]
    places = lock_levels(line.variant_id for line in wanting)
    reserved: dict[int, Decimal] = {}
    for line in sorted(wanting, key=lambda li: (li.variant_id, li.pk)):
        need = line.backordered_quantity
        got = ZERO
        variant_places = places.get(line.variant_id, [])
        for warehouse_id in _warehouse_order(order, variant_places, settings):
            here = sorted(
                (p for p in variant_places if p[2] == warehouse_id), key=lambda p: (-p[3], p[1])
            )
            for place in here:
                if need <= 0:
                    break
                pk, location_id, wh, available = place
                take = min(need, available)
                if take <= 0:
                    continue
                try:
                    reservation_create(
                        variant_id=line.variant_id,
                        location_id=location_id,
                        quantity=take,
                        reference=(LINE_REFERENCE, line.pk),
                    )
                except InsufficientStock:  # cannot happen under our lock; be safe all the same
                    continue
                need -= take
                got += take
                # What this line took is no longer available to the next line of the variant.
                variant_places[variant_places.index(place)] = (
                    pk,
                    location_id,
                    wh,
                    available - take,
                )
            if need <= 0:
                break
        if got:
            SalesOrderLine.objects.filter(pk=line.pk).update(
                allocated_quantity=F("allocated_quantity") + got
            )
            line.allocated_quantity += got
            reserved[line.pk] = got
    return reserved


def line_reservations(lines: Iterable[SalesOrderLine]) -> list[Reservation]:
    ids = [str(line.pk) for line in lines]
    return list(
        Reservation.objects.filter(reference_type=LINE_REFERENCE, reference_id__in=ids)
        .select_related("level__location")
        .order_by("level__variant_id", "level__location_id", "pk")
    )


def lines_release(*, lines: Sequence[SalesOrderLine]) -> Decimal:
    """Give back everything these lines hold (cancelling). Returns the quantity released."""
    released = ZERO
    for reservation in line_reservations(lines):
        reservation_release(reservation=reservation)
        released += reservation.quantity
    SalesOrderLine.objects.filter(pk__in=[line.pk for line in lines]).update(
        allocated_quantity=ZERO
    )
    for line in lines:
        line.allocated_quantity = ZERO
    return released


def backorders_fill(variant_ids: list[int]) -> int:
    """Stock arrived for these variants: reserve waiting lines, oldest confirmed order
    first. Returns how many lines got stock."""
    from apps.sales.services import event_add

    waiting = (
        SalesOrderLine.objects.filter(
            variant_id__in=variant_ids, order__status__in=SalesOrder.FILLABLE
        )
        .filter(quantity__gt=F("shipped_quantity") + F("allocated_quantity"))
        .order_by("order__confirmed_at", "order_id")
        .values_list("order_id", flat=True)
    )
    order_ids = list(dict.fromkeys(waiting))  # oldest first, each once
    filled = 0
    settings = sales_settings()
    for order_id in order_ids:
        with transaction.atomic():
            order = (
                SalesOrder.objects.select_for_update(of=("self",))
                .select_related("customer")
                .get(pk=order_id)
            )
            if order.status not in SalesOrder.FILLABLE:
                continue
            lines = [
                line
                for line in order.lines.filter(variant_id__in=variant_ids)
                if line.backordered_quantity > 0
            ]
            got = lines_reserve(order=order, lines=lines, settings=settings)
            if got:
                filled += len(got)
                event_add(
                    order=order,
                    kind="reserved",
                    message="Backordered stock arrived and was reserved.",
                    data={"lines": {str(k): str(v) for k, v in got.items()}},
                )
    return filled
