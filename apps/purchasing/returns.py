"""Returning goods to the supplier, with a debit note.

Two kinds of goods go back: goods rejected at receipt (never in stock, so no stock
move) and goods taken back out of stock (damaged later, wrong item found on the
shelf), which leave through the ledger as a ``return`` move. Neither may exceed what
was rejected, or received, less what was already returned. The debit note is the
value of the goods at the order's unit cost plus its tax, in the order's currency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from apps.inventory.models import Location, StockMove
from apps.inventory.services import InventoryError, MoveLine, stock_moves_post
from apps.purchasing.errors import PurchasingError
from apps.purchasing.models import PurchaseOrder, SupplierReturn, SupplierReturnLine
from apps.purchasing.services import Event, Status, _locked, _qty, event_add

ZERO = Decimal("0")
RETURNABLE = (Status.PARTIALLY_RECEIVED, Status.RECEIVED, Status.CLOSED)


@dataclass(frozen=True)
class ReturnItem:
    line_id: int
    from_stock: Decimal = ZERO
    rejected: Decimal = ZERO


def returned_so_far(order: PurchaseOrder) -> dict[tuple[int, bool], Decimal]:
    rows = (
        SupplierReturnLine.objects.filter(supplier_return__order=order)
        .order_by()
        .values_list("order_line_id", "from_stock")
        .annotate(total=Sum("quantity"))
    )
    return defaultdict(lambda: ZERO, {(line, stock): total for line, stock, total in rows})


def supplier_return_create(
    *,
    order: PurchaseOrder,
    location: Location,
    items: Sequence[ReturnItem],
    reason: str,
    user=None,
) -> SupplierReturn:
    reason = (reason or "").strip()
    if not reason:
        raise PurchasingError("Say why the goods go back (it is printed on the debit note).")
    items = [i for i in items if Decimal(i.from_stock) or Decimal(i.rejected)]
    if not items:
        raise PurchasingError("Enter a quantity to return on at least one line.")
    with transaction.atomic():
        order = _locked(order, *RETURNABLE, action="returned to the supplier")
        if location.warehouse_id != order.warehouse_id:
            raise PurchasingError(f"Take returned stock from a location of {order.warehouse.code}.")
        lines = {line.pk: line for line in order.lines.select_related("variant")}
        done = returned_so_far(order)
        supplier_return = SupplierReturn.objects.create(
            order=order, location=location, reason=reason[:255], user=user
        )
        rows, moves, total = [], [], ZERO
        for item in items:
            line = lines.get(item.line_id)
            if line is None:
                raise PurchasingError(f"That line is not on {order.number}.")
            stock_qty, rejected_qty = Decimal(item.from_stock), Decimal(item.rejected)
            if stock_qty < 0 or rejected_qty < 0:
                raise PurchasingError(f"{line.variant.sku}: quantities cannot be negative.")
            if stock_qty > line.received_quantity - done[(line.pk, True)]:
                raise PurchasingError(
                    f"{line.variant.sku}: at most {_qty(line.received_quantity - done[(line.pk, True)])} "
                    "received units are left to return."
                )
            if rejected_qty > line.rejected_quantity - done[(line.pk, False)]:
                raise PurchasingError(
                    f"{line.variant.sku}: at most {_qty(line.rejected_quantity - done[(line.pk, False)])} "
                    "rejected units are left to return."
                )
            for quantity, from_stock in ((stock_qty, True), (rejected_qty, False)):
                if quantity:
                    rows.append(
                        SupplierReturnLine(
                            supplier_return=supplier_return,
                            order_line=line,
                            quantity=quantity,
                            from_stock=from_stock,
                        )
                    )
                    total += (quantity * line.unit_cost * (1 + line.tax_rate / 100)).quantize(
                        Decimal("0.01")
                    )
            if stock_qty:
                moves.append(MoveLine(line.variant_id, location.pk, -stock_qty))
        SupplierReturnLine.objects.bulk_create(rows)
        if moves:
            try:
                stock_moves_post(
                    lines=moves,
                    kind=StockMove.Kind.RETURN,
                    user=user,
                    note=f"{supplier_return.number} to {order.supplier.name}",
                    reference=("supplier_return", supplier_return.pk),
                )
            except InventoryError as exc:
                raise PurchasingError(exc.message) from exc
        supplier_return.total = total
        supplier_return.save(update_fields=["total"])
        event_add(
            order=order,
            kind=Event.RETURNED,
            user=user,
            message=f"{supplier_return.number}: goods worth {total} {order.currency} sent back — {reason}",
            data={"return": supplier_return.pk},
        )
    return supplier_return
