"""Cycle counts (stock takes) as documents: open (snapshot) → counted → posted, or cancelled.

Opening a count snapshots the system quantity of each (variant, location) in scope.
Counters record what they find against that snapshot; posting books
``counted − snapshot`` per line as a count-correction move *on top of the current
balance*. So a sale or adjustment made while the count was open stays in the
ledger and is not undone by the count (counters count what was there at the start).
Every stock change goes through ``services.stock_moves_post``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.inventory.models import (
    Location,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMove,
    Warehouse,
)
from apps.inventory.services import InventoryError, MoveLine, _qty, stock_moves_post

ZERO = Decimal("0")


def count_scope_locations(*, warehouse: Warehouse, zone: Location | None = None) -> list[int]:
    """Ids of the locations a count covers: the warehouse, or a zone and everything under it.

    In-transit stock is not on a shelf, so it is never counted. One query: the
    warehouse's locations are few, and the subtree is walked in Python.
    """
    rows = list(
        Location.objects.filter(warehouse=warehouse)
        .exclude(kind=Location.Kind.TRANSIT)
        .values_list("pk", "parent_id")
    )
    if zone is None:
        return [pk for pk, _ in rows]
    children: dict[int | None, list[int]] = {}
    for pk, parent in rows:
        children.setdefault(parent, []).append(pk)
    found, todo = [], [zone.pk]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


def _variant_filter_sql(count: StockCount) -> tuple[str, list]:
    """Extra SQL conditions on the variant (``v``) and level (``s``) for the count's filters."""
    sql, params = "", []
    if count.category_id:
        sql += " AND p.category_id IN (SELECT id FROM catalog_category WHERE path LIKE %s)"
        params.append(count.category.path + "%")
    if count.only_in_stock:
        sql += " AND s.on_hand > 0"
    return sql, params


def stock_count_create(
    *,
    warehouse: Warehouse,
    zone: Location | None = None,
    category=None,
    only_in_stock: bool = False,
    blind: bool = False,
    note: str = "",
    user=None,
) -> StockCount:
    """Open a count and snapshot the system quantities in its scope, in one transaction."""
    if zone is not None and (
        zone.warehouse_id != warehouse.pk or zone.kind == Location.Kind.TRANSIT
    ):
        raise InventoryError(
            f"Choose a zone inside {warehouse.code} (not its in-transit location)."
        )
    if not warehouse.is_active:
        raise InventoryError(f"{warehouse.code} is inactive; it cannot be counted.")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM inventory_stockmove")
            watermark = cursor.fetchone()[0]
        count = StockCount.objects.create(
            warehouse=warehouse,
            zone=zone,
            category=category,
            only_in_stock=only_in_stock,
            blind=blind,
            note=(note or "").strip()[:255],
            snapshot_move_id=watermark,
            created_by=user,
        )
        locations = count_scope_locations(warehouse=warehouse, zone=zone)
        extra, params = _variant_filter_sql(count)
        with connection.cursor() as cursor:
            # One statement reads every balance at the same instant: a consistent snapshot.
            cursor.execute(
                f"""
                INSERT INTO inventory_stockcountline (count_id, variant_id, location_id, snapshot_quantity)
                SELECT %s, s.variant_id, s.location_id, s.on_hand
                  FROM inventory_stocklevel s
                  JOIN catalog_variant v ON v.id = s.variant_id
                  JOIN catalog_product p ON p.id = v.product_id
                 WHERE s.location_id = ANY(%s) {extra}
                """,
                [count.pk, locations, *params],
            )
    return count


def _locked_open(count: StockCount) -> StockCount:
    current = StockCount.objects.select_for_update().get(pk=count.pk)
    if current.status != StockCount.Status.OPEN:
        raise InventoryError(
            f"{current.number} is {current.get_status_display().lower()}; it can no longer be changed."
        )
    return current


def _snapshot_now(count: StockCount, variant_id: int, location_id: int) -> Decimal:
    """What the balance was when the count opened: today's balance minus later moves."""
    on_hand = (
        StockLevel.objects.filter(variant_id=variant_id, location_id=location_id)
        .values_list("on_hand", flat=True)
        .first()
    ) or ZERO
    since = StockMove.objects.filter(
        variant_id=variant_id, location_id=location_id, id__gt=count.snapshot_move_id
    ).aggregate(total=Coalesce(Sum("quantity"), ZERO))["total"]
    return on_hand - since


def _line_for(count: StockCount, variant, location: Location) -> StockCountLine:
    line = StockCountLine.objects.filter(count=count, variant=variant, location=location).first()
    if line is not None:
        return line
    # An item the snapshot did not list: allowed if it is within the count's scope.
    if location.pk not in count_scope_locations(warehouse=count.warehouse, zone=count.zone):
        raise InventoryError(f"{location} is not part of {count.number}.")
    if count.category_id and not (
        variant.product.category_id
        and variant.product.category.path.startswith(count.category.path)
    ):
        raise InventoryError(
            f"{variant.sku} is not in the category {count.category.name}, which {count.number} covers."
        )
    return StockCountLine.objects.create(
        count=count,
        variant=variant,
        location=location,
        snapshot_quantity=_snapshot_now(count, variant.pk, location.pk),
    )


def _decimal(value) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InventoryError(f"“{value}” is not a quantity.") from None
    if not number.is_finite():
        raise InventoryError(f"“{value}” is not a quantity.")
    return number


def stock_count_record(
    *,
    count: StockCount,
    variant,
    location: Location,
    quantity,
    add: bool = False,
    user=None,
) -> StockCountLine:
    """Record a counted quantity. ``add=True`` is a scan: it adds to what is already counted
    (a negative number takes back a wrong scan); otherwise the quantity replaces it.
    ``quantity=None`` (without ``add``) clears the line back to uncounted."""
    with transaction.atomic():
        count = _locked_open(count)
        line = _line_for(count, variant, location)
        if quantity is None or quantity == "":
            if add:
                raise InventoryError("Enter a quantity.")
            StockCountLine.objects.filter(pk=line.pk).update(
                counted_quantity=None, counted_by=None, counted_at=None
            )
            line.refresh_from_db()
            return line
        quantity = _decimal(quantity)
        if add and quantity == 0:
            raise InventoryError("A scan adds a quantity other than zero.")
        new = (line.counted_quantity or ZERO) + quantity if add else quantity
        if new < 0:
            raise InventoryError(
                f"{variant.sku} at {location.code}: the count cannot go below zero "
                f"({_qty(line.counted_quantity or ZERO)} counted so far)."
            )
        if new.as_tuple().exponent < -3 or abs(new) >= Decimal("1e11"):
            raise InventoryError("Quantities have at most 3 decimals and 11 digits.")
        StockCountLine.objects.filter(pk=line.pk).update(
            counted_quantity=new, counted_by=user, counted_at=timezone.now()
        )
        line.refresh_from_db()
    return line


def stock_count_post(
    *, count: StockCount, user=None, uncounted_as_zero: bool = False
) -> StockCount:
    """Book the variances as count-correction moves, all or nothing.

    Each line's correction is ``counted − snapshot`` added to the current balance.
    Uncounted lines are left alone unless ``uncounted_as_zero`` (then they were
    looked for and not found).
    """
    with transaction.atomic():
        count = _locked_open(count)
        lines = list(count.lines.order_by("variant_id", "location_id"))
        if not any(line.counted_quantity is not None for line in lines) and not uncounted_as_zero:
            raise InventoryError("Nothing has been counted yet: count at least one line first.")
        corrections: list[tuple[StockCountLine, Decimal]] = []
        for line in lines:
            counted = line.counted_quantity
            if counted is None:
                if not uncounted_as_zero:
                    continue
                counted = ZERO
            line.posted_quantity = counted - line.snapshot_quantity
            if line.posted_quantity:
                corrections.append((line, line.posted_quantity))
        if corrections:
            moves = stock_moves_post(
                lines=[MoveLine(ln.variant_id, ln.location_id, delta) for ln, delta in corrections],
                kind=StockMove.Kind.COUNT,
                user=user,
                reference=("stock_count", count.pk),
                note=count.number,
            )
            for (line, _), move in zip(corrections, moves, strict=True):
                line.unit_cost = move.unit_cost
        StockCountLine.objects.bulk_update(lines, ["posted_quantity", "unit_cost"], batch_size=1000)
        count.status = StockCount.Status.POSTED
        count.posted_by = user
        count.posted_at = timezone.now()
        count.save(update_fields=["status", "posted_by", "posted_at"])
    return count


def stock_count_cancel(*, count: StockCount) -> StockCount:
    with transaction.atomic():
        count = _locked_open(count)
        count.status = StockCount.Status.CANCELLED
        count.cancelled_at = timezone.now()
        count.save(update_fields=["status", "cancelled_at"])
    return count
