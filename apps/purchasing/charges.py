"""Charges that arrive after the order went out (a freight or duty invoice): re-spread
over the lines, and stock already received re-valued by the ledger
(``stock_revalue``), so goods still on hand carry their full landed cost."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction

from apps.inventory.models import StockMove
from apps.inventory.services import Revaluation, stock_revalue
from apps.purchasing.models import PurchaseOrderCharge, PurchaseOrderLine, ReceiptLine
from apps.purchasing.services import (
    ChargeInput,
    Event,
    Status,
    _apply_totals_and_allocation,
    _build_charges,
    _locked,
    event_add,
)

AFTER_SENDING = (Status.SENT, Status.PARTIALLY_RECEIVED, Status.RECEIVED, Status.CLOSED)


def purchase_order_charges_set(*, order, charges: Sequence[ChargeInput], user=None):
    with transaction.atomic():
        order = _locked(order, *AFTER_SENDING, action="given new charges")
        lines = list(order.lines.select_related("variant").order_by("pk"))
        before = {line.pk: line.allocated_charge_per_unit for line in lines}
        built = _build_charges(charges)
        _apply_totals_and_allocation(order, lines, built)
        # Charges that came with a delivery stay as they are (and in the total).
        on_receipts = sum(
            order.charges.filter(receipt__isnull=False).values_list("amount", flat=True),
            Decimal("0"),
        )
        order.charges_total += on_receipts
        order.total += on_receipts
        order.save(update_fields=["charges_total", "total", "updated_at"])
        order.charges.filter(receipt__isnull=True).delete()
        for charge in built:
            charge.order = order
        PurchaseOrderCharge.objects.bulk_create(built)
        PurchaseOrderLine.objects.bulk_update(lines, ["allocated_charge_per_unit"])
        deltas = {
            line.pk: line.allocated_charge_per_unit - before[line.pk]
            for line in lines
            if line.allocated_charge_per_unit != before[line.pk]
        }
        received = list(
            ReceiptLine.objects.filter(order_line_id__in=list(deltas), quantity__gt=0)
            .select_related("order_line")
            .order_by("pk")
        )
        moves = {
            (int(m.reference_id), m.variant_id): m.pk
            for m in StockMove.objects.filter(
                reference_type="purchase_receipt",
                reference_id__in=[str(r.receipt_id) for r in received],
                kind=StockMove.Kind.RECEIPT,
            )
        }
        revaluations = []
        for receipt_line in received:
            delta = deltas[receipt_line.order_line_id]
            move_id = moves.get((receipt_line.receipt_id, receipt_line.order_line.variant_id))
            if move_id:
                revaluations.append(Revaluation(move_id, delta))
            receipt_line.unit_cost += delta
        ReceiptLine.objects.bulk_update(received, ["unit_cost"])
        results = stock_revalue(revaluations=revaluations)
        change = sum((r.value_change for r in results), Decimal("0"))
        units = sum((r.units_on_hand for r in results), Decimal("0"))
        event_add(
            order=order,
            kind=Event.CHARGES,
            user=user,
            message=f"Charges now {order.charges_total} {order.currency}."
            + (
                f" Stock still on hand ({units.normalize():f} units) re-valued by {change}."
                if results
                else ""
            ),
        )
    return order
