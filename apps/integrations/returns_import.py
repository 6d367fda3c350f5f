"""Channel refunds into sales returns (through apps/sales/returns.py), once per refund.

A refund on the channel of an order imported here becomes a sales return of that order: each
refunded line is matched to the order line of the same variant; goods the channel restocks
come back to stock (*restock*), goods refunded without coming back are recorded as *scrap*;
lines refunded before they shipped (Shopify ``restock_type: cancel``) are not returns and are
left out. The refunded money is the return's refund amount (a credit note). A refund of an
order we never imported, or with nothing that came back, is skipped in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from apps.core.errors import DomainError
from apps.integrations import ids
from apps.integrations.models import Connection


@dataclass
class RemoteRefundLine:
    variant_id: str
    sku: str
    quantity: Decimal
    restock: bool


@dataclass
class RemoteRefund:
    refund_id: str
    order_id: str
    order_number: str
    amount: Decimal | None
    note: str = ""
    lines: list[RemoteRefundLine] = field(default_factory=list)

    @property
    def record(self) -> str:
        return f"refund {self.refund_id} of order {self.order_number}"


class RefundImportError(DomainError):
    pass


def _order_line(connection: Connection, order, line: RemoteRefundLine):
    from apps.catalog.models import Variant

    link = ids.local_for(connection, "variant", line.variant_id) if line.variant_id else None
    variant_id = link.local_id if link else None
    if variant_id is None and line.sku:
        variant_id = (
            Variant.objects.filter(sku__iexact=line.sku.strip())
            .values_list("pk", flat=True)
            .first()
        )
    match = next((ol for ol in order.lines.all() if ol.variant_id == variant_id), None)
    if match is None:
        raise RefundImportError(
            f"{order.number} has no line for {line.sku or line.variant_id}: record the return "
            "by hand."
        )
    return match


def refund_import(connection: Connection, recorder, remote: RemoteRefund) -> str:
    from apps.sales.models import SalesOrder, SalesReturnLine
    from apps.sales.returns import ReturnItem, sales_return_create

    if ids.local_for(connection, "return", remote.refund_id):
        recorder.count("skipped")
        return "refund already recorded"
    order_link = ids.local_for(connection, "order", remote.order_id)
    if order_link is None:
        recorder.count("skipped")
        return f"refund of order {remote.order_number}, not imported here"
    goods = [line for line in remote.lines if line.quantity > 0]
    if not goods:
        recorder.count("skipped")
        return "refund without goods coming back: no return"
    order = SalesOrder.objects.prefetch_related("lines").get(pk=order_link.local_id)
    Disposition = SalesReturnLine.Disposition
    try:
        with transaction.atomic():
            items = [
                ReturnItem(
                    line_id=_order_line(connection, order, line).pk,
                    quantity=line.quantity,
                    disposition=Disposition.RESTOCK if line.restock else Disposition.SCRAP,
                    reason="Refunded in the store" + (f": {remote.note}" if remote.note else ""),
                )
                for line in goods
            ]
            sales_return = sales_return_create(
                order=order,
                items=items,
                reason=f"{connection.name} refund {remote.refund_id}"[:200],
                refund_amount=remote.amount,
            )
            ids.link(connection, "return", local_id=sales_return.pk, external_id=remote.refund_id)
    except DomainError as exc:
        recorder.fail(remote.record, exc.message)
        return f"refund failed: {exc.message}"
    recorder.count("created")
    return f"return {sales_return.number} recorded"
