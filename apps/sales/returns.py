"""Returns (RMA) of shipped goods, with a credit note.

Per line: the quantity coming back, a reason and what happens to it —

- **restock**: a *return* move puts it back at a location (valued at the current
  average cost), so it is available to sell again;
- **scrap**: recorded, nothing enters stock (it never becomes available again);
- **repair**: recorded, nothing enters stock yet (restock it with an adjustment when
  it is fixed).

The refund amount defaults to what the returned units were billed at (their share of
each line's total, tax included) and can be lowered or raised by a manager. A refund
above zero gets a credit note number (``CN-000001``), and, where the order's invoices
were paid, is recorded as a refund against them so their payment status follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from apps.core.sequences import document_number
from apps.inventory.models import Location, StockMove
from apps.inventory.services import MoveLine, stock_moves_post
from apps.sales.config import sales_settings
from apps.sales.errors import SalesError
from apps.sales.models import (
    Invoice,
    Payment,
    SalesOrder,
    SalesOrderEvent,
    SalesOrderLine,
    SalesReturn,
    SalesReturnLine,
)
from apps.sales.pricing import money

Status = SalesOrder.Status
Disposition = SalesReturnLine.Disposition
ZERO = Decimal("0")
RETURNABLE = (Status.PARTIALLY_SHIPPED, Status.SHIPPED, Status.DELIVERED)


@dataclass(frozen=True)
class ReturnItem:
    line_id: int
    quantity: Decimal
    disposition: str = Disposition.RESTOCK
    reason: str = ""
    location_id: int | None = None  # restock only; default: where it shipped from


def _qty(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def sales_return_create(
    *,
    order: SalesOrder,
    items: Sequence[ReturnItem],
    reason: str = "",
    refund_amount: Decimal | None = None,
    user=None,
) -> SalesReturn:
    from apps.sales.services import _decimal, event_add, locked

    settings = sales_settings()
    with transaction.atomic():
        order = locked(order, *RETURNABLE, action="returned (only shipped goods come back)")
        lines = {line.pk: line for line in order.lines.select_related("variant")}
        wanted = [i for i in items if Decimal(str(i.quantity or 0)) != 0]
        if not wanted:
            raise SalesError("Enter the quantity coming back on at least one line.")
        seen = set()
        for item in wanted:
            line = lines.get(item.line_id)
            if line is None:
                raise SalesError("A return line names a line that is not on this order.")
            if line.pk in seen:
                raise SalesError(f"{line.variant.sku} appears twice; put it on one line.")
            seen.add(line.pk)
            quantity = _decimal(item.quantity, f"The quantity of {line.variant.sku}")
            returnable = line.shipped_quantity - line.returned_quantity
            if quantity < 0 or quantity > returnable:
                raise SalesError(
                    f"{line.variant.sku}: {_qty(returnable)} can come back "
                    f"({_qty(line.shipped_quantity)} shipped, {_qty(line.returned_quantity)} returned).",
                    field="quantity",
                )
            if item.disposition not in Disposition.values:
                raise SalesError(f"Choose restock, scrap or repair for {line.variant.sku}.")
        default_refund = sum(
            (
                money(
                    lines[i.line_id].line_total
                    * Decimal(str(i.quantity))
                    / lines[i.line_id].quantity,
                    settings.tax_rounding,
                )
                for i in wanted
            ),
            ZERO,
        )
        refund = (
            default_refund if refund_amount in (None, "") else _decimal(refund_amount, "The refund")
        )
        if refund < 0:
            raise SalesError("The refund cannot be negative.", field="refund_amount")
        sales_return = SalesReturn.objects.create(
            number=document_number(settings.return_prefix, "sales_return"),
            order=order,
            reason=reason[:200],
            refund_amount=refund.quantize(Decimal("0.01")),
            credit_note_number=document_number(settings.credit_note_prefix, "sales_credit_note")
            if refund > 0
            else "",
            created_by=user,
        )
        restock_lines, built = [], []
        shipped_from = _shipped_from(order)
        for item in wanted:
            line = lines[item.line_id]
            quantity = Decimal(str(item.quantity))
            location_id = None
            if item.disposition == Disposition.RESTOCK:
                location_id = item.location_id or shipped_from.get(line.pk)
                if (
                    not location_id
                    or not Location.objects.filter(pk=location_id, is_active=True).exists()
                ):
                    raise SalesError(
                        f"Choose the location {line.variant.sku} goes back to.", field="location"
                    )
                restock_lines.append(MoveLine(line.variant_id, location_id, quantity))
            built.append(
                SalesReturnLine(
                    sales_return=sales_return,
                    order_line=line,
                    quantity=quantity,
                    reason=(item.reason or "")[:200],
                    disposition=item.disposition,
                    location_id=location_id,
                )
            )
            SalesOrderLine.objects.filter(pk=line.pk).update(
                returned_quantity=F("returned_quantity") + quantity
            )
        if restock_lines:
            moves = stock_moves_post(
                lines=restock_lines,
                kind=StockMove.Kind.RETURN,
                user=user,
                note=f"Return {sales_return.number} of {order.number}",
                reference=("sales_return", sales_return.pk),
            )
            restocked = iter(moves)
            for b in built:
                if b.disposition == Disposition.RESTOCK:
                    b.move = next(restocked)
        SalesReturnLine.objects.bulk_create(built)
        _refund_invoices(order, sales_return.refund_amount, sales_return, user)
        event_add(
            order=order,
            kind=SalesOrderEvent.Kind.RETURNED,
            user=user,
            message=f"{sales_return.number}: "
            + ", ".join(
                f"{b.order_line.variant.sku} {_qty(b.quantity)} ({b.get_disposition_display().lower()})"
                for b in built
            )
            + (f"; refund {sales_return.refund_amount} {order.currency}" if refund else ""),
            data={"return": sales_return.pk},
        )
    return sales_return


def _shipped_from(order: SalesOrder) -> dict[int, int]:
    """The location each line last shipped from (where a restock goes by default)."""
    from apps.sales.models import ShipmentLine

    return dict(
        ShipmentLine.objects.filter(shipment__order=order)
        .order_by("order_line_id", "id")
        .values_list("order_line_id", "location_id")
    )


def _refund_invoices(order, amount: Decimal, sales_return, user) -> None:
    from apps.sales.invoicing import payment_record

    left = amount
    for invoice in Invoice.objects.filter(order=order, amount_paid__gt=0).order_by("-id"):
        if left <= 0:
            break
        take = min(left, invoice.amount_paid)
        payment_record(
            invoice=invoice,
            amount=take,
            kind=Payment.Kind.REFUND,
            method=Payment.Method.OTHER,
            reference=sales_return.credit_note_number,
            user=user,
        )
        left -= take
