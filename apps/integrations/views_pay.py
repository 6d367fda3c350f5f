"""Invoice actions backed by Stripe: make the "Pay by card" link, email it to the customer."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from apps.accounts.permissions import capability_required
from apps.integrations.errors import IntegrationError
from apps.integrations.stripe_payments import invoice_email_send, invoice_payment_link


def _invoice(pk: int):
    from apps.sales.models import Invoice

    return get_object_or_404(Invoice.objects.select_related("order__customer"), pk=pk)


@require_POST
@capability_required("sales.refund")
def invoice_pay_link(request, pk: int):
    invoice = _invoice(pk)
    try:
        invoice_payment_link(invoice=invoice)
    except IntegrationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Pay by card link ready for {invoice.number}.")
    return redirect("sales:invoice", invoice.pk)


@require_POST
@capability_required("sales.refund")
def invoice_pay_email(request, pk: int):
    invoice = _invoice(pk)
    try:
        address = invoice_email_send(invoice=invoice, user=request.user)
    except IntegrationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{invoice.number} sent to {address} with a Pay by card link.")
    return redirect("sales:invoice", invoice.pk)
