"""Sales orders: creating and editing drafts, and moving orders through their lifecycle.

draft → confirmed → picking → packed → (partially shipped →) shipped → delivered,
plus on hold (from any open status, back to where it was) and cancelled. Each change
locks the order row, checks the status it starts from (refusing in words otherwise,
with nothing changed) and writes a timeline event in the same transaction.

Stock: confirming reserves per line (``allocation.py``); what cannot be reserved is a
backorder that fills when stock arrives; cancelling releases the reservations.
Picking lives in ``picking.py``, shipping in ``shipping.py``, invoices in
``invoicing.py``, returns in ``returns.py``.

Roles: staff (clerk and up) create, confirm and hold orders; only managers and owners
change a line's price from the customer's tier price, or cancel an order once picking
has started. Nobody cancels what has shipped — that is a return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role
from apps.catalog.models import Variant
from apps.core.sequences import document_number
from apps.sales import allocation
from apps.sales.config import sales_settings
from apps.sales.currency import order_rate
from apps.sales.errors import SalesError
from apps.sales.models import Customer, CustomerAddress, SalesOrder, SalesOrderEvent, SalesOrderLine
from apps.sales.pricing import line_money, tier_price

Status = SalesOrder.Status
Event = SalesOrderEvent.Kind
ZERO = Decimal("0")
MANAGER_ROLES = (Role.OWNER, Role.MANAGER)


@dataclass(frozen=True)
class LineInput:
    variant_id: int
    quantity: Decimal
    unit_price: Decimal | None = None  # None: the customer's tier price
    discount_percent: Decimal = ZERO
    tax_rate: Decimal | None = None  # None: the company's default tax rate
    description: str = ""


def _now():
    return timezone.now()


def _qty(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def is_manager(user) -> bool:
    """Managers and owners; ``None`` is the system itself (imports, demo data, jobs)."""
    return user is None or getattr(user, "role", None) in MANAGER_ROLES


def event_add(
    *, order: SalesOrder, kind: str, user=None, message: str = "", data: dict | None = None
) -> SalesOrderEvent:
    from apps.sales.selectors import status_counts_forget

    # The list's status counts change with the order: forget them now and after commit
    # (a page rendered in between must not keep the old ones).
    status_counts_forget()
    transaction.on_commit(status_counts_forget)
    return SalesOrderEvent.objects.create(
        order=order,
        kind=kind,
        status=order.status,
        user=user,
        message=message,
        data=data or {},
        created_at=_now(),
    )


def locked(order: SalesOrder, *allowed: str, action: str) -> SalesOrder:
    """The order's row, locked, if its status allows ``action``; else a refusal in words."""
    current = (
        SalesOrder.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=order.pk)
    )
    if current.status not in allowed:
        raise SalesError(
            f"{current.number} is {current.get_status_display().lower()}, so it cannot be {action}."
        )
    return current


def _decimal(value, what: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise SalesError(f"{what} must be a number.") from None
    if not result.is_finite():
        raise SalesError(f"{what} must be a number.")
    return result


# --- drafts --------------------------------------------------------------------------------


def _build_lines(
    customer: Customer,
    lines: Sequence[LineInput],
    user,
    kept_prices: dict[int, Decimal] | None = None,
    rate: Decimal = Decimal("1"),
) -> list[SalesOrderLine]:
    """Priced lines in the order's currency (``rate``: company currency per unit of it).
    ``kept_prices``: prices a manager set earlier on this draft, which anyone editing it
    may keep (but not change)."""
    kept_prices = kept_prices or {}
    if not lines:
        raise SalesError("Add at least one line to the order.")
    ids = [line.variant_id for line in lines]
    if len(set(ids)) != len(ids):
        raise SalesError("A variant appears on two lines; put its whole quantity on one line.")
    settings = sales_settings()
    variants = Variant.objects.select_related("product").in_bulk(ids)
    tier = customer.price_tier
    if tier is None:
        from apps.sales.models import PriceTier

        tier = PriceTier.objects.filter(is_default=True).first()
    built = []
    for line in lines:
        variant = variants.get(line.variant_id)
        if variant is None:
            raise SalesError("One of the lines names a variant that does not exist.")
        if not variant.is_active:
            raise SalesError(f"{variant.sku} is inactive and cannot be sold.")
        quantity = _decimal(line.quantity, f"The quantity of {variant.sku}")
        if quantity <= 0:
            raise SalesError(f"{variant.sku}: order a quantity greater than zero.")
        if quantity != quantity.quantize(Decimal("0.001")):
            raise SalesError(f"{variant.sku}: a quantity has at most three decimals.")
        list_price = tier_price(
            variant.sale_price,
            tier.discount_percent if tier else None,
            settings.tax_rounding,
            rate,
        )
        price = list_price
        overridden = False
        if line.unit_price not in (None, ""):
            price = _decimal(line.unit_price, f"The unit price of {variant.sku}")
            if price < 0:
                raise SalesError(f"{variant.sku}: the unit price cannot be negative.")
            if price.quantize(Decimal("0.01")) != price:
                raise SalesError(f"{variant.sku}: a unit price has at most two decimals.")
            overridden = price != list_price
            if overridden and not is_manager(user) and kept_prices.get(variant.pk) != price:
                raise SalesError(
                    f"{variant.sku}: only a manager or owner can change the price "
                    f"(the price for this customer is {list_price}).",
                    field="unit_price",
                )
        discount = _decimal(line.discount_percent or 0, f"The discount of {variant.sku}")
        if not 0 <= discount <= 100:
            raise SalesError(f"{variant.sku}: the discount must be between 0 and 100 %.")
        tax = _decimal(
            settings.default_tax_rate if line.tax_rate in (None, "") else line.tax_rate,
            f"The tax rate of {variant.sku}",
        )
        if not 0 <= tax <= 100:
            raise SalesError(f"{variant.sku}: the tax rate must be between 0 and 100 %.")
        amounts = line_money(
            quantity=quantity,
            unit_price=price,
            discount_percent=discount,
            tax_rate=tax,
            rounding=settings.tax_rounding,
        )
        built.append(
            SalesOrderLine(
                variant=variant,
                description=(line.description or _describe(variant))[:200],
                quantity=quantity,
                unit_price=price,
                list_price=list_price,
                price_overridden=overridden,
                discount_percent=discount,
                tax_rate=tax,
                line_subtotal=amounts.line_subtotal,
                discount_amount=amounts.discount_amount,
                tax_amount=amounts.tax_amount,
                line_total=amounts.line_total,
            )
        )
    return built


def _describe(variant: Variant) -> str:
    options = " / ".join(str(v) for v in (variant.options or {}).values())
    return f"{variant.product.name}{' — ' + options if options else ''}"


def _apply_totals(order: SalesOrder, lines: Sequence[SalesOrderLine]) -> None:
    order.subtotal = sum((line.line_subtotal for line in lines), ZERO)
    order.discount_total = sum((line.discount_amount for line in lines), ZERO)
    order.tax_total = sum((line.tax_amount for line in lines), ZERO)
    order.total = sum((line.line_total for line in lines), ZERO)


def _address(customer: Customer, kind: str) -> str:
    address = (
        CustomerAddress.objects.filter(customer=customer, kind=kind)
        .order_by("-is_default", "id")
        .first()
    )
    return "\n".join(address.lines()) if address else ""


def _promised(promised_date: date | None, order_date: date) -> date:
    """The chosen promised date (not before the order date), else order date + the company's
    handling days."""
    if promised_date in (None, ""):
        return order_date + timedelta(days=sales_settings().default_handling_days)
    if not isinstance(promised_date, date):
        raise SalesError("The promised date must be a date.", field="promised_date")
    if promised_date < order_date:
        raise SalesError(
            f"The promised date ({promised_date:%Y-%m-%d}) cannot be before the order date "
            f"({order_date:%Y-%m-%d}).",
            field="promised_date",
        )
    return promised_date


def sales_order_create(
    *,
    customer: Customer,
    lines: Sequence[LineInput],
    user=None,
    warehouse=None,
    channel: str = SalesOrder.Channel.MANUAL,
    customer_reference: str = "",
    notes: str = "",
    shipping_address: str | None = None,
    billing_address: str | None = None,
    order_date: date | None = None,
    promised_date: date | None = None,
    exchange_rate: Decimal | None = None,
    created_at=None,
) -> SalesOrder:
    """A draft order in the customer's currency, priced from the customer's tier.

    The order captures the exchange rate of its currency now (``exchange_rate`` when given,
    e.g. the rate a web shop charged at; else the company's current rate) and is promised
    to ship on ``promised_date`` (default: order date + the company's handling days)."""
    if not customer.is_active or customer.erased_at:
        raise SalesError(f"{customer.name} is inactive; reactivate the customer to take orders.")
    if warehouse is not None and not warehouse.is_active:
        raise SalesError(f"Warehouse {warehouse.code} is inactive.")
    if channel not in SalesOrder.Channel.values:
        raise SalesError(f"Unknown sales channel “{channel}”.")
    currency = (customer.currency or "USD").upper()
    rate = order_rate(currency, exchange_rate)
    built = _build_lines(customer, lines, user, rate=rate)
    when = created_at or _now()
    ordered_on = order_date or timezone.localdate(when)
    promised = _promised(promised_date, ordered_on)
    with transaction.atomic():
        order = SalesOrder(
            number=document_number(sales_settings().order_prefix, "sales_order"),
            customer=customer,
            warehouse=warehouse,
            channel=channel,
            currency=currency,
            exchange_rate=rate,
            order_date=ordered_on,
            promised_date=promised,
            customer_reference=customer_reference[:60],
            notes=notes,
            shipping_address=_address(customer, CustomerAddress.Kind.SHIPPING)
            if shipping_address is None
            else shipping_address,
            billing_address=_address(customer, CustomerAddress.Kind.BILLING)
            if billing_address is None
            else billing_address,
            created_by=user,
            created_at=when,
        )
        _apply_totals(order, built)
        order.save()
        for line in built:
            line.order = order
        SalesOrderLine.objects.bulk_create(built)
        event_add(order=order, kind=Event.CREATED, user=user, message=f"Total {order.total}")
        SalesOrderEvent.objects.filter(order=order).update(created_at=when)
        _emit("order.created", order)
    return order


def sales_order_update(
    *,
    order: SalesOrder,
    lines: Sequence[LineInput],
    user=None,
    warehouse=None,
    customer_reference: str | None = None,
    notes: str | None = None,
    shipping_address: str | None = None,
    billing_address: str | None = None,
    promised_date: date | None = None,
) -> SalesOrder:
    """Replace a draft's lines (and, when given, its other fields). Prices stay in the
    order's currency at the rate it captured when created."""
    with transaction.atomic():
        order = locked(order, Status.DRAFT, action="edited")
        kept_prices = {
            line.variant_id: line.unit_price for line in order.lines.all() if line.price_overridden
        }
        built = _build_lines(order.customer, lines, user, kept_prices, rate=order.exchange_rate)
        _apply_totals(order, built)
        if promised_date is not None:
            order.promised_date = _promised(promised_date, order.order_date)
        if warehouse is not None:
            order.warehouse = warehouse or None  # False clears the chosen warehouse
        for field, value in (
            ("customer_reference", customer_reference),
            ("notes", notes),
            ("shipping_address", shipping_address),
            ("billing_address", billing_address),
        ):
            if value is not None:
                setattr(order, field, value)
        order.lines.all().delete()
        for line in built:
            line.order = order
        SalesOrderLine.objects.bulk_create(built)
        order.save()
        event_add(order=order, kind=Event.EDITED, user=user, message=f"Total {order.total}")
    return order


PROMISABLE = (Status.DRAFT, *SalesOrder.OPEN)


def sales_order_promise(*, order: SalesOrder, promised_date: date, user=None) -> SalesOrder:
    """A new promised ship date for an order not yet shipped (a backorder pushes it out, a
    customer agrees to wait). The overdue rule treats the new date as a new promise."""
    if promised_date in (None, ""):
        raise SalesError("Choose the promised date.", field="promised_date")
    with transaction.atomic():
        order = locked(order, *PROMISABLE, action="given a new promised date")
        before = order.promised_on(sales_settings().default_handling_days)
        order.promised_date = _promised(promised_date, order.order_date)
        order.save(update_fields=["promised_date", "updated_at"])
        event_add(
            order=order,
            kind=Event.EDITED,
            user=user,
            message=f"Promised to ship by {order.promised_date:%Y-%m-%d} (was {before:%Y-%m-%d})",
        )
    return order


# --- lifecycle -----------------------------------------------------------------------------


def sales_order_confirm(*, order: SalesOrder, user=None) -> SalesOrder:
    """Reserve stock per line; what cannot be reserved now waits as a backorder."""
    with transaction.atomic():
        order = locked(order, Status.DRAFT, action="confirmed")
        if order.warehouse_id and not order.warehouse.is_active:
            raise SalesError(f"Warehouse {order.warehouse.code} is inactive.")
        lines = list(order.lines.select_related("variant"))
        order.status = Status.CONFIRMED
        order.confirmed_at = _now()
        order.save(update_fields=["status", "confirmed_at", "updated_at"])
        got = allocation.lines_reserve(order=order, lines=lines)
        event_add(order=order, kind=Event.CONFIRMED, user=user)
        if got:
            event_add(
                order=order,
                kind=Event.RESERVED,
                user=user,
                message=", ".join(
                    f"{line.variant.sku} {_qty(got[line.pk])}" for line in lines if line.pk in got
                ),
            )
        short = [line for line in lines if line.backordered_quantity > 0]
        if short:
            event_add(
                order=order,
                kind=Event.BACKORDERED,
                user=user,
                message=", ".join(
                    f"{line.variant.sku} {_qty(line.backordered_quantity)}" for line in short
                ),
            )
        _emit("order.confirmed", order)
    return order


HOLDABLE = (Status.DRAFT, Status.CONFIRMED, Status.PICKING, Status.PACKED, Status.PARTIALLY_SHIPPED)


def sales_order_hold(*, order: SalesOrder, user=None, reason: str = "") -> SalesOrder:
    """Stop work on the order (payment check, customer query). Reservations are kept."""
    with transaction.atomic():
        order = locked(order, *HOLDABLE, action="put on hold")
        order.held_from = order.status
        order.status = Status.ON_HOLD
        order.save(update_fields=["status", "held_from", "updated_at"])
        event_add(order=order, kind=Event.HELD, user=user, message=reason)
    return order


def sales_order_release(*, order: SalesOrder, user=None) -> SalesOrder:
    """Back to the status it was held from; backorders get a chance at stock that arrived."""
    with transaction.atomic():
        order = locked(order, Status.ON_HOLD, action="released")
        order.status = order.held_from or Status.DRAFT
        order.held_from = ""
        order.save(update_fields=["status", "held_from", "updated_at"])
        event_add(order=order, kind=Event.RELEASED, user=user)
        if order.status in SalesOrder.FILLABLE:
            got = allocation.lines_reserve(order=order, lines=list(order.lines.all()))
            if got:
                event_add(
                    order=order,
                    kind=Event.RESERVED,
                    user=user,
                    message="Stock that arrived while on hold was reserved.",
                )
    return order


CANCELLABLE = (Status.DRAFT, Status.CONFIRMED, Status.PICKING, Status.PACKED, Status.ON_HOLD)
CANCELLABLE_BY_STAFF = (Status.DRAFT, Status.CONFIRMED)


def sales_order_cancel(*, order: SalesOrder, user=None, reason: str = "") -> SalesOrder:
    """Cancel and release every reservation. Shipped goods come back as returns instead."""
    with transaction.atomic():
        current = SalesOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
        if current.status in (Status.PARTIALLY_SHIPPED, Status.SHIPPED, Status.DELIVERED):
            raise SalesError(
                f"{current.number} is {current.get_status_display().lower()}; goods that left "
                "cannot be cancelled — create a return instead."
            )
        order = locked(order, *CANCELLABLE, action="cancelled")
        effective = order.held_from if order.status == Status.ON_HOLD else order.status
        if effective not in CANCELLABLE_BY_STAFF and not is_manager(user):
            raise SalesError(
                f"Picking of {order.number} has started; only a manager or owner can cancel it."
            )
        lines = list(order.lines.all())
        released = allocation.lines_release(lines=lines)
        from apps.sales.picking import pick_lines_drop

        pick_lines_drop(lines=lines)
        order.status = Status.CANCELLED
        order.held_from = ""
        order.cancelled_at = _now()
        order.save(update_fields=["status", "held_from", "cancelled_at", "updated_at"])
        event_add(
            order=order,
            kind=Event.CANCELLED,
            user=user,
            message=reason,
            data={"released": _qty(released)},
        )
        _emit("order.cancelled", order)
    return order


def sales_order_pack(*, order: SalesOrder, user=None) -> SalesOrder:
    """Everything picked is packed and waiting for the carrier."""
    with transaction.atomic():
        order = locked(
            order, Status.CONFIRMED, Status.PICKING, Status.PARTIALLY_SHIPPED, action="packed"
        )
        if not any(line.allocated_quantity > 0 for line in order.lines.all()):
            raise SalesError(f"{order.number} has no reserved stock to pack yet (all backordered).")
        order.status = Status.PACKED
        order.save(update_fields=["status", "updated_at"])
        event_add(order=order, kind=Event.PACKED, user=user)
    return order


def sales_order_deliver(*, order: SalesOrder, user=None, delivered_at=None) -> SalesOrder:
    """The carrier delivered: record the date on the order and its shipments."""
    when = delivered_at or _now()
    with transaction.atomic():
        order = locked(order, Status.SHIPPED, action="marked delivered")
        order.status = Status.DELIVERED
        order.delivered_at = when
        order.save(update_fields=["status", "delivered_at", "updated_at"])
        order.shipments.filter(delivered_at__isnull=True).update(
            delivered_at=when, status="delivered"
        )
        event_add(order=order, kind=Event.DELIVERED, user=user)
    return order


def _emit(event: str, order: SalesOrder) -> None:
    from apps.sales.webhooks import order_event_emit

    order_event_emit(event=event, order=order)
