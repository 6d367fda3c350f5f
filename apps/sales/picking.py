"""Pick lists: what to take from which bin, per order or batched for many orders.

A pick list is built from the orders' reservations in one warehouse (the stock is
already promised, so picking never fights over it). Lines are in **walking order**:
sorted by the bin's code with numbers compared as numbers (A-2 before A-10), which is
how bins are labelled along the aisles. Creating a pick list moves confirmed orders
to *picking*.

On a phone the picker confirms each line by scanning the bin, then the item (SKU or
barcode); a wrong scan is refused in words and nothing is recorded.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.sales.allocation import line_reservations
from apps.sales.errors import SalesError
from apps.sales.models import PickList, PickListLine, SalesOrder, SalesOrderEvent, SalesOrderLine

Status = SalesOrder.Status
ZERO = Decimal("0")
PICKABLE = (Status.CONFIRMED, Status.PICKING, Status.PACKED, Status.PARTIALLY_SHIPPED)


def walking_key(code: str) -> tuple:
    """ "A-10" sorts after "A-2": digits compare as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.split(r"(\d+)", code or "")
        if part
    )


def _already_listed(line_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    """Quantities of these lines already on open pick lists, per (line, location)."""
    listed: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for line_id, location_id, quantity in PickListLine.objects.filter(
        order_line_id__in=line_ids, pick_list__status=PickList.Status.OPEN
    ).values_list("order_line_id", "location_id", "quantity"):
        listed[(line_id, location_id)] += quantity
    return listed


def pick_lists_create(*, orders: Sequence[SalesOrder], user=None) -> list[PickList]:
    """One pick list per warehouse holding reserved stock of these orders (one order: a
    per-order list; many: a batch). Refuses orders that are not confirmed yet."""
    from apps.sales.services import event_add

    if not orders:
        raise SalesError("Choose at least one order to pick.")
    with transaction.atomic():
        locked = list(
            SalesOrder.objects.select_for_update(of=("self",))
            .filter(pk__in=[o.pk for o in orders])
            .order_by("pk")
        )
        refused = [o.number for o in locked if o.status not in PICKABLE]
        if refused:
            raise SalesError(
                f"Only confirmed orders can be picked; {', '.join(refused)} "
                f"{'is' if len(refused) == 1 else 'are'} not."
            )
        lines = list(SalesOrderLine.objects.filter(order__in=locked).select_related("variant"))
        by_id = {line.pk: line for line in lines}
        listed = _already_listed(list(by_id))
        per_warehouse: dict[int, list[tuple]] = defaultdict(list)
        for reservation in line_reservations(lines):
            line = by_id[int(reservation.reference_id)]
            location = reservation.level.location
            left = reservation.quantity - listed.get((line.pk, location.pk), ZERO)
            if left > 0:
                per_warehouse[location.warehouse_id].append((location, line, left))
        if not per_warehouse:
            raise SalesError(
                "Nothing to pick: the orders have no reserved stock that is not on a pick list already."
            )
        created = []
        for warehouse_id, rows in sorted(per_warehouse.items()):
            pick_list = PickList.objects.create(warehouse_id=warehouse_id, created_by=user)
            rows.sort(key=lambda r: (walking_key(r[0].code), r[1].variant.sku, r[1].order_id))
            PickListLine.objects.bulk_create(
                [
                    PickListLine(
                        pick_list=pick_list,
                        order_line=line,
                        location=location,
                        variant_id=line.variant_id,
                        quantity=quantity,
                        sequence=index,
                    )
                    for index, (location, line, quantity) in enumerate(rows)
                ]
            )
            pick_list.orders.set({line.order_id for _loc, line, _q in rows})
            created.append(pick_list)
        for order in locked:
            if order.status == Status.CONFIRMED:
                order.status = Status.PICKING
                order.save(update_fields=["status", "updated_at"])
                event_add(
                    order=order,
                    kind=SalesOrderEvent.Kind.PICKING,
                    user=user,
                    message=", ".join(f"Pick list {p.pk}" for p in created),
                )
    return created


def pick_confirm(
    *, line: PickListLine, bin_code: str, item_code: str, quantity=None, user=None
) -> PickListLine:
    """Record a pick after scanning the bin, then the item. ``quantity`` defaults to the
    whole line."""
    with transaction.atomic():
        line = (
            PickListLine.objects.select_for_update(of=("self",))
            .select_related("pick_list", "location", "variant")
            .get(pk=line.pk)
        )
        if line.pick_list.status != PickList.Status.OPEN:
            raise SalesError("This pick list is closed.")
        if bin_code.strip().lower() != line.location.code.lower():
            raise SalesError(
                f"Wrong bin: scanned “{bin_code.strip()}”, this pick is from {line.location.code}.",
                field="bin_code",
            )
        code = item_code.strip()
        if code.lower() != line.variant.sku.lower() and code != (line.variant.barcode or "\0"):
            raise SalesError(
                f"Wrong item: scanned “{code}”, this pick is {line.variant.sku}.", field="item_code"
            )
        amount = (
            line.quantity - line.picked_quantity
            if quantity in (None, "")
            else Decimal(str(quantity))
        )
        if amount <= 0 or line.picked_quantity + amount > line.quantity:
            raise SalesError(
                f"Pick between 1 and {line.quantity - line.picked_quantity:f} here.",
                field="quantity",
            )
        line.picked_quantity += amount
        line.picked_by = user
        line.picked_at = timezone.now()
        line.save(update_fields=["picked_quantity", "picked_by", "picked_at"])
        pick_list = line.pick_list
        if not pick_list.lines.exclude(picked_quantity__gte=F("quantity")).exists():
            pick_list.status = PickList.Status.DONE
            pick_list.completed_at = timezone.now()
            pick_list.save(update_fields=["status", "completed_at"])
    return line


def pick_lines_drop(*, lines: Sequence[SalesOrderLine]) -> None:
    """Take cancelled lines off open pick lists; a list left empty is cancelled."""
    touched = set(
        PickListLine.objects.filter(
            order_line__in=lines, pick_list__status=PickList.Status.OPEN
        ).values_list("pick_list_id", flat=True)
    )
    if not touched:
        return
    PickListLine.objects.filter(order_line__in=lines, pick_list_id__in=touched).delete()
    PickList.objects.filter(pk__in=touched, lines__isnull=True).update(
        status=PickList.Status.CANCELLED
    )


def pick_rows(pick_list: PickList) -> list[dict]:
    """The printable list grouped by bin in walking order: per bin, per variant, the total
    and which orders it is for."""
    lines = list(
        pick_list.lines.select_related("location", "variant__product", "order_line__order")
    )
    groups: dict[int, dict] = {}
    for line in lines:
        group = groups.setdefault(
            line.location_id, {"location": line.location, "items": {}, "sequence": line.sequence}
        )
        item = group["items"].setdefault(
            line.variant_id,
            {"variant": line.variant, "quantity": ZERO, "picked": ZERO, "orders": []},
        )
        item["quantity"] += line.quantity
        item["picked"] += line.picked_quantity
        item["orders"].append((line.order_line.order.number, line.quantity))
    ordered = sorted(
        groups.values(), key=lambda g: (walking_key(g["location"].code), g["sequence"])
    )
    for group in ordered:
        group["items"] = sorted(group["items"].values(), key=lambda i: i["variant"].sku)
    return ordered
