"""Invoices from shipped quantities, and payments recorded against them.

An invoice bills what has shipped and is not billed yet — for the whole order, or for
one shipment. Its lines use the order line's price, discount and tax rate and are
rounded per line exactly as the order was (``pricing.line_money``), so an order
invoiced in one go has the order's totals to the cent. Numbers come from their own
sequence (``INV-000001``).

Payment status follows the money: *unpaid*, *partly paid*, *paid*; *refunded* once
refunds have taken back everything that was paid. Payments are recorded by hand (card
payments arrive with the integrations); an overpayment is refused.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from apps.core.sequences import document_number
from apps.sales.config import sales_settings
from apps.sales.errors import SalesError
from apps.sales.models import (
    Invoice,
    InvoiceLine,
    Payment,
    SalesOrder,
    SalesOrderEvent,
    SalesOrderLine,
    Shipment,
)
from apps.sales.pricing import line_money

ZERO = Decimal("0")
PayStatus = Invoice.PaymentStatus


def invoice_create(
    *,
    order: SalesOrder,
    shipment: Shipment | None = None,
    user=None,
    issue_date: date | None = None,
) -> Invoice:
    from apps.sales.services import event_add

    settings = sales_settings()
    with transaction.atomic():
        order = (
            SalesOrder.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=order.pk)
        )
        lines = {line.pk: line for line in order.lines.select_related("variant")}
        if shipment is not None:
            if shipment.order_id != order.pk:
                raise SalesError("That shipment belongs to another order.")
            shipped = {}
            for sl in shipment.lines.all():
                shipped[sl.order_line_id] = shipped.get(sl.order_line_id, ZERO) + sl.quantity
            if shipment.invoices.exists():
                raise SalesError(f"{shipment.number} is invoiced already.")
        else:
            shipped = {pk: line.shipped_quantity for pk, line in lines.items()}
        to_bill = {}
        for pk, quantity in shipped.items():
            line = lines[pk]
            unbilled = line.shipped_quantity - line.invoiced_quantity
            quantity = min(quantity, unbilled)
            if quantity > 0:
                to_bill[pk] = quantity
        if not to_bill:
            raise SalesError(
                f"Nothing to invoice on {order.number}: bill goods once they have shipped, "
                "and each shipped unit once."
            )
        issued = issue_date or timezone.localdate()
        invoice = Invoice(
            number=document_number(settings.invoice_prefix, "sales_invoice"),
            order=order,
            shipment=shipment,
            currency=order.currency,
            issue_date=issued,
            due_date=issued + timedelta(days=order.customer.payment_terms_days),
            created_by=user,
        )
        built = []
        for pk, quantity in to_bill.items():
            line = lines[pk]
            m = line_money(
                quantity=quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
                rounding=settings.tax_rounding,
            )
            built.append(
                InvoiceLine(
                    order_line=line,
                    description=f"{line.variant.sku} — {line.description}"[:200],
                    quantity=quantity,
                    unit_price=line.unit_price,
                    discount_percent=line.discount_percent,
                    tax_rate=line.tax_rate,
                    line_subtotal=m.line_subtotal,
                    discount_amount=m.discount_amount,
                    tax_amount=m.tax_amount,
                    line_total=m.line_total,
                )
            )
        invoice.subtotal = sum((b.line_subtotal for b in built), ZERO)
        invoice.discount_total = sum((b.discount_amount for b in built), ZERO)
        invoice.tax_total = sum((b.tax_amount for b in built), ZERO)
        invoice.total = sum((b.line_total for b in built), ZERO)
        invoice.payment_status = PayStatus.PAID if invoice.total == 0 else PayStatus.UNPAID
        invoice.save()
        for b in built:
            b.invoice = invoice
        InvoiceLine.objects.bulk_create(built)
        for pk, quantity in to_bill.items():
            SalesOrderLine.objects.filter(pk=pk).update(
                invoiced_quantity=F("invoiced_quantity") + quantity
            )
        event_add(
            order=order,
            kind=SalesOrderEvent.Kind.INVOICED,
            user=user,
            message=f"{invoice.number}: {invoice.total} {invoice.currency}",
            data={"invoice": invoice.pk},
        )
    return invoice


def _status(invoice: Invoice) -> str:
    if invoice.amount_refunded > 0 and invoice.amount_paid <= 0:
        return PayStatus.REFUNDED
    if invoice.amount_paid >= invoice.total:
        return PayStatus.PAID
    if invoice.amount_paid > 0:
        return PayStatus.PARTIAL
    return PayStatus.UNPAID


def payment_record(
    *,
    invoice: Invoice,
    amount,
    kind: str = Payment.Kind.PAYMENT,
    method: str = Payment.Method.BANK,
    reference: str = "",
    received_on: date | None = None,
    user=None,
) -> Payment:
    """A payment (or a refund) of ``amount``. A payment cannot exceed the open balance, a
    refund cannot exceed what was paid."""
    from apps.sales.services import _decimal, event_add

    amount = _decimal(amount, "The amount")
    if amount <= 0:
        raise SalesError("Enter an amount greater than zero.", field="amount")
    if amount.quantize(Decimal("0.01")) != amount:
        raise SalesError("An amount has at most two decimals.", field="amount")
    if kind not in Payment.Kind.values:
        raise SalesError(f"Unknown kind of payment “{kind}”.")
    if method not in Payment.Method.values:
        raise SalesError(f"Unknown payment method “{method}”.", field="method")
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if kind == Payment.Kind.PAYMENT and amount > invoice.balance:
            raise SalesError(
                f"{invoice.number} has {invoice.balance} {invoice.currency} open; "
                f"{amount} is more than that.",
                field="amount",
            )
        if kind == Payment.Kind.REFUND and amount > invoice.amount_paid:
            raise SalesError(
                f"Only {invoice.amount_paid} {invoice.currency} was paid on {invoice.number}; "
                "refund at most that.",
                field="amount",
            )
        payment = Payment.objects.create(
            invoice=invoice,
            kind=kind,
            amount=amount,
            method=method,
            reference=reference[:80],
            received_on=received_on or timezone.localdate(),
            user=user,
        )
        if kind == Payment.Kind.PAYMENT:
            invoice.amount_paid += amount
        else:
            invoice.amount_paid -= amount
            invoice.amount_refunded += amount
        invoice.payment_status = _status(invoice)
        invoice.save(update_fields=["amount_paid", "amount_refunded", "payment_status"])
        event_add(
            order=invoice.order,
            kind=SalesOrderEvent.Kind.PAYMENT,
            user=user,
            message=f"{payment.get_kind_display()} of {amount} {invoice.currency} on {invoice.number}",
        )
    return payment


def open_balance(order: SalesOrder) -> Decimal:
    """What the customer still owes on this order's invoices."""
    totals = order.invoices.aggregate(total=Sum("total"), paid=Sum("amount_paid"))
    return (totals["total"] or ZERO) - (totals["paid"] or ZERO)
