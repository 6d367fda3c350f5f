"""Supplier returns: the form on a received order, and the debit note PDF."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.permissions import capability_required
from apps.core.htmx import int_param
from apps.inventory.models import Location
from apps.purchasing.documents import debit_note_pdf
from apps.purchasing.errors import PurchasingError
from apps.purchasing.models import PurchaseOrder, SupplierReturn
from apps.purchasing.returns import RETURNABLE, ReturnItem, returned_so_far, supplier_return_create

ZERO = Decimal("0")


def _number(value) -> Decimal | None:
    if value in (None, ""):
        return ZERO
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@require_http_methods(["GET", "POST"])
@capability_required("purchasing.receive")
def return_new(request, pk: int):
    order = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "warehouse"), pk=pk)
    if order.status not in RETURNABLE:
        messages.error(
            request, f"Nothing has been received on {order.number} yet, so nothing can go back."
        )
        return redirect("purchasing:order", pk=order.pk)
    lines = list(order.lines.select_related("variant"))
    done = returned_so_far(order)
    for line in lines:
        line.stock_left = line.received_quantity - done[(line.pk, True)]
        line.rejected_left = line.rejected_quantity - done[(line.pk, False)]
    locations = list(
        order.warehouse.locations.exclude(kind=Location.Kind.TRANSIT).order_by("kind", "code")
    )
    errors = []
    if request.method == "POST":
        items = []
        for line in lines:
            stock = _number(request.POST.get(f"stock-{line.pk}"))
            rejected = _number(request.POST.get(f"rejected-{line.pk}"))
            if stock is None or rejected is None:
                errors.append(f"{line.variant.sku}: enter quantities as numbers.")
            else:
                items.append(ReturnItem(line.pk, stock, rejected))
        location = next(
            (loc for loc in locations if loc.pk == int_param(request.POST.get("location"))), None
        )
        if location is None:
            errors.append("Choose the location the goods leave from.")
        if not errors:
            try:
                note = supplier_return_create(
                    order=order,
                    location=location,
                    items=items,
                    reason=request.POST.get("reason", ""),
                    user=request.user,
                )
            except PurchasingError as exc:
                errors.append(exc.message)
            else:
                messages.success(
                    request,
                    f"{note.number} recorded: {note.total} {order.currency} to be credited.",
                )
                return redirect("purchasing:order", pk=order.pk)
    return render(
        request,
        "purchasing/return_new.html",
        {"order": order, "lines": lines, "locations": locations, "errors": errors},
        status=422 if errors else 200,
    )


@require_GET
@capability_required("purchasing.view")
def return_pdf(request, pk: int):
    note = get_object_or_404(SupplierReturn.objects.select_related("order__supplier"), pk=pk)
    response = HttpResponse(debit_note_pdf(note), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{note.number}.pdf"'
    return response
