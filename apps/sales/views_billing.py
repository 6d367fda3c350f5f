"""Invoices, payments, returns and their documents."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.permissions import capability_required, user_can
from apps.core.htmx import int_param
from apps.sales import documents
from apps.sales.errors import SalesError
from apps.sales.forms import PaymentForm, ReturnForm, ReturnLineFormSet
from apps.sales.invoicing import invoice_create, payment_record
from apps.sales.models import Invoice, Payment, SalesOrder, SalesReturn, Shipment
from apps.sales.returns import RETURNABLE, ReturnItem, sales_return_create


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_POST
@capability_required("sales.edit")
def order_invoice(request, pk: int):
    order = get_object_or_404(SalesOrder, pk=pk)
    shipment_id = int_param(request.POST.get("shipment"))
    shipment = get_object_or_404(Shipment, pk=shipment_id, order=order) if shipment_id else None
    try:
        invoice = invoice_create(order=order, shipment=shipment, user=request.user)
    except SalesError as exc:
        messages.error(request, exc.message)
        return redirect("sales:order", pk=order.pk)
    messages.success(request, f"{invoice.number} issued: {invoice.total} {invoice.currency}.")
    return redirect("sales:invoice", pk=invoice.pk)


@require_GET
@capability_required("sales.view")
def invoice_detail(request, pk: int):
    invoice = get_object_or_404(
        Invoice.objects.select_related("order__customer", "shipment"), pk=pk
    )
    return render(
        request,
        "sales/invoice.html",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "payments": list(invoice.payments.select_related("user")),
            "form": PaymentForm(
                initial={"amount": invoice.balance if invoice.balance > 0 else None}
            ),
            "can_pay": user_can(request.user, "sales.refund"),
        },
    )


@require_POST
@capability_required("sales.refund")
def invoice_payment(request, pk: int):
    invoice = get_object_or_404(Invoice.objects.select_related("order__customer"), pk=pk)
    form = PaymentForm(request.POST)
    kind = request.POST.get("kind", Payment.Kind.PAYMENT)
    if form.is_valid():
        try:
            payment_record(
                invoice=invoice,
                kind=kind,
                user=request.user,
                amount=form.cleaned_data["amount"],
                method=form.cleaned_data["method"],
                reference=form.cleaned_data["reference"],
                received_on=form.cleaned_data["received_on"],
            )
        except SalesError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"{'Refund' if kind == 'refund' else 'Payment'} recorded on {invoice.number}.",
            )
            return redirect("sales:invoice", pk=invoice.pk)
    return render(
        request,
        "sales/invoice.html",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "payments": list(invoice.payments.select_related("user")),
            "form": form,
            "can_pay": True,
        },
        status=422,
    )


@require_GET
@capability_required("sales.view")
def invoice_pdf(request, pk: int):
    invoice = get_object_or_404(Invoice.objects.select_related("order__customer"), pk=pk)
    return _pdf(documents.invoice_pdf(invoice), f"{invoice.number}.pdf")


@require_http_methods(["GET", "POST"])
@capability_required("sales.refund")
def return_new(request, pk: int):
    order = get_object_or_404(SalesOrder.objects.select_related("customer"), pk=pk)
    if order.status not in RETURNABLE:
        messages.error(request, f"{order.number} has not shipped; only shipped goods come back.")
        return redirect("sales:order", pk=order.pk)
    lines = [
        line
        for line in order.lines.select_related("variant__product")
        if line.shipped_quantity > line.returned_quantity
    ]
    form = ReturnForm(request.POST or None)
    formset = ReturnLineFormSet(
        request.POST or None,
        prefix="lines",
        initial=[{"line_id": line.pk, "disposition": "restock"} for line in lines],
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        items = [
            ReturnItem(
                line_id=f.cleaned_data["line_id"],
                quantity=f.cleaned_data.get("quantity") or 0,
                disposition=f.cleaned_data["disposition"],
                reason=f.cleaned_data.get("reason", ""),
                location_id=f.cleaned_data["location"].pk
                if f.cleaned_data.get("location")
                else None,
            )
            for f in formset
        ]
        try:
            sales_return = sales_return_create(
                order=order,
                items=items,
                reason=form.cleaned_data["reason"],
                refund_amount=form.cleaned_data["refund_amount"],
                user=request.user,
            )
        except SalesError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{sales_return.number} received.")
            return redirect("sales:order", pk=order.pk)
    rows = list(zip(lines, formset.forms, strict=False))
    return render(
        request,
        "sales/return_new.html",
        {"order": order, "form": form, "formset": formset, "rows": rows},
        status=422 if request.method == "POST" else 200,
    )


@require_GET
@capability_required("sales.view")
def credit_note_pdf(request, pk: int):
    sales_return = get_object_or_404(SalesReturn.objects.select_related("order__customer"), pk=pk)
    return _pdf(
        documents.credit_note_pdf(sales_return),
        f"{sales_return.credit_note_number or sales_return.number}.pdf",
    )
