"""Purchase orders: creating, editing and moving them through their lifecycle.

draft → awaiting approval → approved → sent → partially received → received → closed,
plus cancelled and rejected. Each change locks the order row, checks the status
it starts from (refusing in words otherwise) and writes a timeline event in the
same transaction. Receiving lives in ``receiving.py``, sending in ``sending.py``.

Approval rule (per company, ``PurchasingSettings``): an order whose total in the
company's currency is *above* ``approval_threshold`` needs approval (exactly at the
threshold does not); managers and owners approve, but above
``manager_approval_limit`` only owners do. An approved order that is edited goes
through the rule again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.accounts.permissions import user_can
from apps.catalog.models import Supplier, SupplierItem, Variant
from apps.core.sequences import document_number
from apps.inventory.models import Warehouse
from apps.purchasing import landed_cost
from apps.purchasing.config import company_currency, purchasing_settings
from apps.purchasing.errors import PurchasingError
from apps.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderCharge,
    PurchaseOrderEvent,
    PurchaseOrderLine,
)

Status = PurchaseOrder.Status
Event = PurchaseOrderEvent.Kind
ZERO = Decimal("0")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class LineInput:
    variant_id: int
    quantity: Decimal
    unit_cost: Decimal | None = None  # None: the supplier item's cost
    tax_rate: Decimal = ZERO
    pack_size: Decimal | None = None  # None: the supplier item's pack size


@dataclass(frozen=True)
class ChargeInput:
    amount: Decimal
    kind: str = PurchaseOrderCharge.Kind.FREIGHT
    allocation: str = PurchaseOrderCharge.Allocation.VALUE
    description: str = ""


def _now():
    return timezone.now()


def _company_currency() -> str:
    return company_currency()


def _qty(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def event_add(
    *, order: PurchaseOrder, kind: str, user=None, message: str = "", data: dict | None = None
) -> PurchaseOrderEvent:
    return PurchaseOrderEvent.objects.create(
        order=order, kind=kind, user=user, message=message, data=data or {}, created_at=_now()
    )


def _locked(order: PurchaseOrder, *allowed: str, action: str) -> PurchaseOrder:
    current = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    if current.status not in allowed:
        raise PurchasingError(
            f"{current.number} is {current.get_status_display().lower()}, so it cannot be {action}."
        )
    return current


# --- lines, charges and totals ---------------------------------------------------------


def _decimal(value, what: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise PurchasingError(f"{what} must be a number.") from None
    if not result.is_finite():
        raise PurchasingError(f"{what} must be a number.")
    return result


def _build_lines(supplier: Supplier, lines: Sequence[LineInput]) -> list[PurchaseOrderLine]:
    if not lines:
        raise PurchasingError("Add at least one line to the purchase order.")
    ids = [line.variant_id for line in lines]
    if len(set(ids)) != len(ids):
        raise PurchasingError("A variant appears on two lines; put its whole quantity on one line.")
    variants = Variant.objects.in_bulk(ids)
    items = {
        item.variant_id: item
        for item in SupplierItem.objects.filter(supplier=supplier, variant_id__in=ids)
    }
    built = []
    for line in lines:
        variant = variants.get(line.variant_id)
        if variant is None:
            raise PurchasingError("One of the lines names a variant that does not exist.")
        item = items.get(variant.pk)
        quantity = _decimal(line.quantity, f"The quantity of {variant.sku}")
        pack = _decimal(
            line.pack_size if line.pack_size is not None else (item.pack_size if item else 1),
            f"The pack size of {variant.sku}",
        )
        cost = _decimal(
            line.unit_cost
            if line.unit_cost is not None
            else (item.cost if item else variant.cost_price),
            f"The unit cost of {variant.sku}",
        )
        tax = _decimal(line.tax_rate or 0, f"The tax rate of {variant.sku}")
        if quantity <= 0:
            raise PurchasingError(f"{variant.sku}: order a quantity greater than zero.")
        if pack <= 0:
            raise PurchasingError(f"{variant.sku}: the pack size must be greater than zero.")
        if quantity % pack:
            raise PurchasingError(
                f"{variant.sku}: {supplier.name} sells it in packs of {_qty(pack)}; "
                f"order a multiple of {_qty(pack)} (not {_qty(quantity)})."
            )
        if cost < 0:
            raise PurchasingError(f"{variant.sku}: the unit cost cannot be negative.")
        if not 0 <= tax <= 100:
            raise PurchasingError(f"{variant.sku}: the tax rate must be between 0 and 100 %.")
        built.append(
            PurchaseOrderLine(
                variant=variant,
                supplier_sku=item.supplier_sku if item else "",
                pack_size=pack,
                quantity=quantity,
                unit_cost=cost,
                tax_rate=tax,
            )
        )
    return built


def _build_charges(charges: Sequence[ChargeInput]) -> list[PurchaseOrderCharge]:
    built = []
    for charge in charges:
        amount = _decimal(charge.amount, "A charge's amount")
        if amount < 0:
            raise PurchasingError("A charge cannot be negative.")
        if charge.kind not in PurchaseOrderCharge.Kind.values:
            raise PurchasingError(f"Unknown kind of charge “{charge.kind}”.")
        if charge.allocation not in PurchaseOrderCharge.Allocation.values:
            raise PurchasingError(f"Unknown way to spread a charge “{charge.allocation}”.")
        if amount:
            built.append(
                PurchaseOrderCharge(
                    kind=charge.kind,
                    amount=amount.quantize(CENT),
                    allocation=charge.allocation,
                    description=charge.description[:200],
                )
            )
    return built


def _apply_totals_and_allocation(
    order: PurchaseOrder, lines: list[PurchaseOrderLine], charges: list[PurchaseOrderCharge]
) -> None:
    """Totals in the order's currency; each line's share of the charges per unit, in the
    company's currency (what the receipt will value the stock at, on top of the cost)."""
    order.subtotal = sum((line.line_value for line in lines), ZERO)
    order.tax_total = sum((line.tax_amount for line in lines), ZERO)
    order.charges_total = sum((c.amount for c in charges), ZERO)
    order.total = order.subtotal + order.tax_total + order.charges_total
    shares = landed_cost.allocate(
        [
            landed_cost.AllocationLine(
                key=i,
                quantity=line.quantity,
                value=line.line_value,
                weight_per_unit=line.variant.weight_kg,
                label=line.variant.sku,
            )
            for i, line in enumerate(lines)
        ],
        [
            landed_cost.AllocationCharge(c.amount * order.exchange_rate, c.allocation)
            for c in charges
        ],
    )
    for i, line in enumerate(lines):
        line.allocated_charge_per_unit = landed_cost.per_unit(shares[i], line.quantity)


def _exchange_rate(currency: str, exchange_rate) -> Decimal:
    if currency == _company_currency():
        return Decimal("1")
    if exchange_rate in (None, ""):
        raise PurchasingError(
            f"Enter the exchange rate: how many {_company_currency()} one {currency} is worth today.",
            field="exchange_rate",
        )
    rate = _decimal(exchange_rate, "The exchange rate")
    if rate <= 0:
        raise PurchasingError("The exchange rate must be greater than zero.", field="exchange_rate")
    return rate


def purchase_order_create(
    *,
    supplier: Supplier,
    warehouse: Warehouse,
    lines: Sequence[LineInput],
    charges: Sequence[ChargeInput] = (),
    currency: str = "",
    exchange_rate: Decimal | None = None,
    expected_date: date | None = None,
    notes: str = "",
    user=None,
    created_at=None,
) -> PurchaseOrder:
    """A draft order. Cost, pack size and supplier SKU default to the supplier's item."""
    if not supplier.is_active:
        raise PurchasingError(f"{supplier.name} is inactive; reactivate it to order from it.")
    if not warehouse.is_active:
        raise PurchasingError(f"Warehouse {warehouse.code} is inactive.")
    currency = (currency or supplier.currency or _company_currency()).upper()
    rate = _exchange_rate(currency, exchange_rate)
    built_lines = _build_lines(supplier, lines)
    built_charges = _build_charges(charges)
    when = created_at or _now()
    with transaction.atomic():
        order = PurchaseOrder(
            number=document_number(purchasing_settings().number_prefix, "purchase_order"),
            supplier=supplier,
            warehouse=warehouse,
            currency=currency,
            exchange_rate=rate,
            order_date=timezone.localdate(when),
            expected_date=expected_date or _default_expected(supplier, when),
            notes=notes,
            created_by=user,
            created_at=when,
        )
        _apply_totals_and_allocation(order, built_lines, built_charges)
        order.save()
        for obj in (*built_lines, *built_charges):
            obj.order = order
        PurchaseOrderLine.objects.bulk_create(built_lines)
        PurchaseOrderCharge.objects.bulk_create(built_charges)
        event_add(order=order, kind=Event.CREATED, user=user)
        PurchaseOrderEvent.objects.filter(order=order).update(created_at=when)
    return order


def _default_expected(supplier: Supplier, when) -> date:
    from datetime import timedelta

    return timezone.localdate(when) + timedelta(days=supplier.default_lead_time_days)


def purchase_order_update(
    *,
    order: PurchaseOrder,
    lines: Sequence[LineInput],
    charges: Sequence[ChargeInput] = (),
    expected_date: date | None = None,
    notes: str | None = None,
    exchange_rate: Decimal | None = None,
    user=None,
) -> PurchaseOrder:
    """Replace the lines and charges. An approved order goes back through approval."""
    with transaction.atomic():
        order = _locked(order, *EDITABLE, action="edited")
        if exchange_rate is not None:
            order.exchange_rate = _exchange_rate(order.currency, exchange_rate)
        built_lines = _build_lines(order.supplier, lines)
        built_charges = _build_charges(charges)
        _apply_totals_and_allocation(order, built_lines, built_charges)
        if expected_date is not None:
            order.expected_date = expected_date
        if notes is not None:
            order.notes = notes
        order.lines.all().delete()
        order.charges.all().delete()
        for obj in (*built_lines, *built_charges):
            obj.order = order
        PurchaseOrderLine.objects.bulk_create(built_lines)
        PurchaseOrderCharge.objects.bulk_create(built_charges)
        was_approved = order.status == Status.APPROVED
        order.save()
        event_add(
            order=order,
            kind=Event.EDITED,
            user=user,
            message=f"Total {order.total} {order.currency}",
        )
        if was_approved:
            event_add(order=order, kind=Event.RETURNED_TO_APPROVAL, user=user)
            order.approved_by, order.approved_at = None, None
            _route(order, user=user)
    return order


EDITABLE = (Status.DRAFT, Status.AWAITING_APPROVAL, Status.APPROVED)


# --- approval ----------------------------------------------------------------------------


def approval_needed(order: PurchaseOrder) -> bool:
    threshold = purchasing_settings().approval_threshold
    return threshold is not None and order.total_base > threshold


def may_approve(user, order: PurchaseOrder, settings=None) -> bool:
    """Managers and owners approve; above the manager limit only owners do."""
    if not user_can(user, "purchasing.approve"):
        return False
    if user.role == Role.OWNER:
        return True
    limit = (settings or purchasing_settings()).manager_approval_limit
    return limit is None or order.total_base <= limit


def approvers(order: PurchaseOrder) -> list[User]:
    """Everyone who may approve this order (for the email)."""
    roles = [Role.OWNER, Role.MANAGER]
    settings = purchasing_settings()
    return [
        u
        for u in User.objects.filter(is_active=True, role__in=roles)
        if may_approve(u, order, settings)
    ]


def _route(order: PurchaseOrder, *, user) -> None:
    """Send the order for approval, or approve it at once when the rule does not need it."""
    now = _now()
    order.submitted_at = now
    if approval_needed(order):
        order.status = Status.AWAITING_APPROVAL
        order.save(update_fields=["status", "submitted_at", "approved_by", "approved_at"])
        event_add(order=order, kind=Event.SUBMITTED, user=user)
        from apps.purchasing.notifications import approval_requested

        approval_requested(order=order, requested_by=user)
    else:
        order.status = Status.APPROVED
        order.approved_at = now
        order.approved_by = None
        order.save(update_fields=["status", "submitted_at", "approved_by", "approved_at"])
        threshold = purchasing_settings().approval_threshold
        event_add(
            order=order,
            kind=Event.AUTO_APPROVED,
            user=user,
            message="No approval needed"
            + (f": the total is not above {threshold}." if threshold is not None else "."),
        )
        _emit_approved(order)


def _emit_approved(order: PurchaseOrder) -> None:
    from apps.api.webhooks.services import webhook_event_emit

    webhook_event_emit(
        event="po.approved",
        data={
            "id": order.pk,
            "number": order.number,
            "supplier": order.supplier_id,
            "total": str(order.total),
            "currency": order.currency,
            "approved_by": getattr(order.approved_by, "email", None),
        },
    )


def purchase_order_submit(*, order: PurchaseOrder, user=None) -> PurchaseOrder:
    with transaction.atomic():
        order = _locked(order, Status.DRAFT, action="submitted")
        _route(order, user=user)
    return order


def purchase_order_approve(*, order: PurchaseOrder, user, comment: str = "") -> PurchaseOrder:
    with transaction.atomic():
        order = _locked(order, Status.AWAITING_APPROVAL, action="approved")
        if not may_approve(user, order):
            raise PurchasingError(
                f"{order.number} totals {order.total_base} {_company_currency()}, "
                "above what your role may approve; an owner must approve it."
                if user_can(user, "purchasing.approve")
                else "Your role cannot approve purchase orders."
            )
        order.status = Status.APPROVED
        order.approved_by = user
        order.approved_at = _now()
        order.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        event_add(order=order, kind=Event.APPROVED, user=user, message=comment.strip())
        _emit_approved(order)
    return order


def purchase_order_reject(*, order: PurchaseOrder, user, comment: str) -> PurchaseOrder:
    comment = (comment or "").strip()
    if not comment:
        raise PurchasingError("Say why the order is rejected, so its author can fix it.")
    with transaction.atomic():
        order = _locked(order, Status.AWAITING_APPROVAL, action="rejected")
        if not may_approve(user, order):
            raise PurchasingError("Your role cannot approve or reject this purchase order.")
        order.status = Status.REJECTED
        order.save(update_fields=["status", "updated_at"])
        event_add(order=order, kind=Event.REJECTED, user=user, message=comment)
        from apps.purchasing.notifications import order_rejected

        order_rejected(order=order, rejected_by=user, comment=comment)
    return order


def purchase_order_reopen(*, order: PurchaseOrder, user=None) -> PurchaseOrder:
    """A rejected order back to draft, to be fixed and submitted again."""
    with transaction.atomic():
        order = _locked(order, Status.REJECTED, action="reopened")
        order.status = Status.DRAFT
        order.save(update_fields=["status", "updated_at"])
        event_add(order=order, kind=Event.REOPENED, user=user)
    return order


def purchase_order_cancel(*, order: PurchaseOrder, user=None, reason: str = "") -> PurchaseOrder:
    with transaction.atomic():
        order = _locked(
            order,
            Status.DRAFT,
            Status.AWAITING_APPROVAL,
            Status.APPROVED,
            Status.REJECTED,
            Status.SENT,
            action="cancelled",
        )
        order.status = Status.CANCELLED
        order.closed_at = _now()
        order.save(update_fields=["status", "closed_at", "updated_at"])
        event_add(order=order, kind=Event.CANCELLED, user=user, message=reason.strip())
    return order


def purchase_order_close(*, order: PurchaseOrder, user=None, reason: str = "") -> PurchaseOrder:
    """Close a received order, or short-close a partly received one (nothing more is coming)."""
    with transaction.atomic():
        order = _locked(order, Status.RECEIVED, Status.PARTIALLY_RECEIVED, action="closed")
        order.status = Status.CLOSED
        order.closed_at = _now()
        order.save(update_fields=["status", "closed_at", "updated_at"])
        event_add(order=order, kind=Event.CLOSED, user=user, message=reason.strip())
    return order
