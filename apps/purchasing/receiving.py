"""Receiving goods against a purchase order. Stock changes only through the ledger.

A receipt records, per line, what was accepted into stock and what was rejected
(with a reason; rejected goods never enter stock and can be sent back with a
supplier return). Accepted quantities are posted as one ``receipt`` document at
each line's landed unit cost (cost × exchange rate + the line's share of the
charges), which updates moving-average cost and FIFO layers and announces the
arrival (waiting backorders are reserved by the sales listener).

Over-receipt: the accepted total of a line may exceed what was ordered only by the
company's tolerance (percent of the line).

Tracked products: an accepted line of a product that tracks lots needs its lot number
and expiry date; one that tracks serial numbers needs one serial per unit accepted (a
whole number, no serial twice in the receipt). They go to the ledger on the line's
``MoveLine`` (which refuses serials already in stock). Products that track neither
ignore whatever lot, expiry or serials were sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.api.webhooks.services import webhook_event_emit
from apps.inventory.models import Location, StockMove
from apps.inventory.services import InventoryError, MoveLine, stock_moves_post
from apps.purchasing import landed_cost
from apps.purchasing.config import purchasing_settings
from apps.purchasing.errors import PurchasingError
from apps.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderCharge,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
)
from apps.purchasing.services import (
    ChargeInput,
    Event,
    Status,
    _build_charges,
    _locked,
    _qty,
    event_add,
)

ZERO = Decimal("0")
RECEIVABLE = (Status.APPROVED, Status.SENT, Status.PARTIALLY_RECEIVED)


@dataclass(frozen=True)
class ReceiveItem:
    line_id: int
    quantity: Decimal = ZERO  # accepted into stock
    rejected: Decimal = ZERO
    reject_reason: str = ""
    lot: str = ""  # products that track lots: the lot number (required when accepting)
    expiry: date | None = None  # ... and its expiry date (required)
    serials: Sequence[str] = ()  # products that track serials: one per unit accepted


def _tracking(line: PurchaseOrderLine, item: ReceiveItem, accepted: Decimal, seen: set[str]):
    """The lot, expiry and serials to post for an accepted line (see the module docstring)."""
    product, sku = line.variant.product, line.variant.sku
    lot, expiry, serials = "", None, ()
    if product.tracks_lots:
        lot = (item.lot or "").strip()
        if not lot:
            raise PurchasingError(f"{sku} is tracked by lot: enter the lot number.")
        if len(lot) > 64:
            raise PurchasingError(f"{sku}: a lot number has at most 64 characters.")
        if item.expiry is None:
            raise PurchasingError(f"{sku}: enter the expiry date of lot {lot}.")
        expiry = item.expiry
    if product.tracks_serials:
        serials = tuple(s.strip() for s in item.serials or () if s and s.strip())
        if accepted != accepted.to_integral_value():
            raise PurchasingError(
                f"{sku} has serial numbers: receive whole units, not {_qty(accepted)}."
            )
        if len(serials) != accepted:
            raise PurchasingError(
                f"{sku}: {_qty(accepted)} received needs {_qty(accepted)} serial numbers, "
                f"{len(serials)} entered."
            )
        for serial in serials:
            if len(serial) > 100:
                raise PurchasingError(f"{sku}: a serial number has at most 100 characters.")
            if serial in seen:
                raise PurchasingError(f"{sku}: serial number {serial} is entered twice.")
            seen.add(serial)
    return lot, expiry, serials


def receivable_quantity(line: PurchaseOrderLine, tolerance_percent: Decimal) -> Decimal:
    """How much more of the line may still be accepted, tolerance included."""
    limit = line.quantity * (1 + Decimal(tolerance_percent) / 100)
    return max(limit - line.received_quantity, ZERO)


def purchase_order_receive(
    *,
    order: PurchaseOrder,
    location: Location,
    items: Sequence[ReceiveItem],
    user=None,
    note: str = "",
    received_at: datetime | None = None,
    charges: Sequence[ChargeInput] = (),
) -> Receipt:
    """``charges`` came with this delivery (its freight, say): they are spread over what
    this receipt accepts, on top of the order's own charges."""
    items = [i for i in items if Decimal(i.quantity) or Decimal(i.rejected)]
    if not items:
        raise PurchasingError("Enter a received or rejected quantity on at least one line.")
    receipt_charges = _build_charges(charges)
    tolerance = purchasing_settings().over_receipt_tolerance_percent
    when = received_at or timezone.now()
    with transaction.atomic():
        order = _locked(order, *RECEIVABLE, action="received")
        if location.warehouse_id != order.warehouse_id or location.kind == Location.Kind.TRANSIT:
            raise PurchasingError(
                f"Receive into a location of {order.warehouse.code} (not its in-transit location).",
                field="location",
            )
        lines = {
            line.pk: line
            for line in order.lines.select_for_update(of=("self",))
            .select_related("variant__product")
            .order_by("pk")
        }
        receipt = Receipt.objects.create(
            order=order, location=location, user=user, note=note[:255], received_at=when
        )
        receipt_lines, moves = [], []
        extra = _receipt_charge_per_unit(order, lines, items, receipt_charges)
        serials_seen: set[str] = set()
        for item in items:
            line = lines.get(item.line_id)
            if line is None:
                raise PurchasingError(f"That line is not on {order.number}.")
            accepted, rejected = Decimal(item.quantity), Decimal(item.rejected)
            sku = line.variant.sku
            if accepted < 0 or rejected < 0:
                raise PurchasingError(f"{sku}: quantities cannot be negative.")
            if rejected and item.reject_reason not in ReceiptLine.RejectReason.values:
                raise PurchasingError(f"{sku}: say why {_qty(rejected)} were rejected.")
            room = receivable_quantity(line, tolerance)
            if accepted > room:
                allowed = line.quantity * (1 + tolerance / 100)
                raise PurchasingError(
                    f"{sku}: {_qty(line.received_quantity + accepted)} would be received of "
                    f"{_qty(line.quantity)} ordered; at most {_qty(allowed)} may be "
                    f"(over-receipt tolerance {_qty(tolerance)} %)."
                )
            line.order = order  # the landed cost needs the order's rate: no query per line
            cost = line.landed_unit_cost + extra.get(line.pk, ZERO)
            receipt_lines.append(
                ReceiptLine(
                    receipt=receipt,
                    order_line=line,
                    quantity=accepted,
                    rejected_quantity=rejected,
                    reject_reason=item.reject_reason if rejected else "",
                    unit_cost=cost,
                )
            )
            if accepted:
                lot, expiry, serials = _tracking(line, item, accepted, serials_seen)
                moves.append(
                    MoveLine(
                        line.variant_id,
                        location.pk,
                        accepted,
                        cost,
                        lot=lot,
                        expiry=expiry,
                        serials=serials,
                    )
                )
            PurchaseOrderLine.objects.filter(pk=line.pk).update(
                received_quantity=F("received_quantity") + accepted,
                rejected_quantity=F("rejected_quantity") + rejected,
            )
            line.received_quantity += accepted
            line.rejected_quantity += rejected
        ReceiptLine.objects.bulk_create(receipt_lines)
        if receipt_charges:
            for charge in receipt_charges:
                charge.order, charge.receipt = order, receipt
            PurchaseOrderCharge.objects.bulk_create(receipt_charges)
            added = sum((c.amount for c in receipt_charges), ZERO)
            order.charges_total += added
            order.total += added
        if moves:
            try:
                stock_moves_post(
                    lines=moves,
                    kind=StockMove.Kind.RECEIPT,
                    user=user,
                    note=f"{order.number} · {receipt.number}",
                    reference=("purchase_receipt", receipt.pk),
                    occurred_at=when,
                )
            except InventoryError as exc:  # a serial already in stock, a lot's other expiry
                raise PurchasingError(exc.message) from exc
        complete = all(line.received_quantity >= line.quantity for line in lines.values())
        order.status = Status.RECEIVED if complete else Status.PARTIALLY_RECEIVED
        if complete:
            order.received_at = when
        order.save(update_fields=["status", "received_at", "charges_total", "total", "updated_at"])
        accepted_total = sum((Decimal(i.quantity) for i in items), ZERO)
        rejected_total = sum((Decimal(i.rejected) for i in items), ZERO)
        event_add(
            order=order,
            kind=Event.RECEIVED,
            user=user,
            message=f"{receipt.number}: {_qty(accepted_total)} accepted into {location}"
            + (f", {_qty(rejected_total)} rejected" if rejected_total else "")
            + (
                f", with charges of {sum((c.amount for c in receipt_charges), ZERO)} {order.currency}"
                if receipt_charges
                else ""
            )
            + ("; everything ordered has arrived." if complete else "."),
            data={"receipt": receipt.pk},
        )
        receipt.order.events.filter(kind=Event.RECEIVED, data__receipt=receipt.pk).update(
            created_at=when
        )
        webhook_event_emit(
            event="po.received",
            data={
                "id": order.pk,
                "number": order.number,
                "status": order.status,
                "receipt": receipt.number,
                "lines": [
                    {
                        "variant": rl.order_line.variant_id,
                        "sku": rl.order_line.variant.sku,
                        "accepted": f"{Decimal(rl.quantity):.3f}",
                        "rejected": f"{Decimal(rl.rejected_quantity):.3f}",
                    }
                    for rl in receipt_lines
                ],
            },
        )
    return receipt


def _receipt_charge_per_unit(order, lines, items, charges) -> dict[int, Decimal]:
    """Each line's share a unit of this delivery's own charges, in the company's currency."""
    if not charges:
        return {}
    accepted = [(lines[i.line_id], Decimal(i.quantity)) for i in items if i.line_id in lines]
    accepted = [(line, qty) for line, qty in accepted if qty > 0]
    if not accepted:
        raise PurchasingError("Charges on a delivery need something accepted to carry them.")
    shares = landed_cost.allocate(
        [
            landed_cost.AllocationLine(
                key=line.pk,
                quantity=qty,
                value=qty * line.unit_cost,
                weight_per_unit=line.variant.weight_kg,
                label=line.variant.sku,
            )
            for line, qty in accepted
        ],
        [
            landed_cost.AllocationCharge(c.amount * order.exchange_rate, c.allocation)
            for c in charges
        ],
    )
    return {line.pk: landed_cost.per_unit(shares[line.pk], qty) for line, qty in accepted}


def line_for_code(order: PurchaseOrder, code: str) -> PurchaseOrderLine | None:
    """What a scan finds on this order: the variant's barcode, its SKU or the supplier's SKU."""
    code = (code or "").strip()
    if not code:
        return None
    lines = order.lines.select_related("variant")
    return (
        lines.filter(variant__barcode=code).first()
        or lines.filter(variant__sku__iexact=code).first()
        or lines.filter(supplier_sku__iexact=code).exclude(supplier_sku="").first()
    )
