"""Receiving against a purchase order: type quantities per line, or scan items one by one.

A scan posts the whole form with the code; the server adds one unit to the line it
matches and sends the form back (an HTMX swap, or a full page without JavaScript),
so nothing typed is lost and the result is announced in words.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.permissions import capability_required
from apps.core.htmx import int_param, render_page_or_partial
from apps.inventory.models import Location
from apps.purchasing.config import purchasing_settings
from apps.purchasing.errors import PurchasingError
from apps.purchasing.models import PurchaseOrder, PurchaseOrderCharge, ReceiptLine
from apps.purchasing.receiving import (
    RECEIVABLE,
    ReceiveItem,
    line_for_code,
    purchase_order_receive,
    receivable_quantity,
)
from apps.purchasing.services import ChargeInput

ZERO = Decimal("0")


def _number(value) -> Decimal | None:
    if value in (None, ""):
        return ZERO
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _date(value) -> date | None | bool:
    """An ISO date, None when empty, False when it is not a date."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return False


def _serials(value: str) -> tuple[str, ...]:
    """Serial numbers typed or scanned one a line, or separated by commas."""
    return tuple(s.strip() for s in re.split(r"[\n,]", value or "") if s.strip())


@require_http_methods(["GET", "POST"])
@capability_required("purchasing.receive")
def order_receive(request, pk: int):
    order = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "warehouse"), pk=pk)
    if order.status not in RECEIVABLE:
        messages.error(
            request,
            f"{order.number} is {order.get_status_display().lower()}, so nothing can be received against it.",
        )
        return redirect("purchasing:order", pk=order.pk)
    tolerance = purchasing_settings().over_receipt_tolerance_percent
    lines = list(order.lines.select_related("variant__product"))
    locations = list(
        order.warehouse.locations.filter(is_active=True)
        .exclude(kind=Location.Kind.TRANSIT)
        .order_by("kind", "code")
    )
    default_location = next((loc for loc in locations if loc.kind == "receiving"), None)
    posted = request.POST if request.method == "POST" else {}
    errors: list[str] = []
    status_message = ""
    for line in lines:
        line.order = order
        line.room = receivable_quantity(line, tolerance)
        line.entry = {
            "received": posted.get(f"received-{line.pk}", ""),
            "rejected": posted.get(f"rejected-{line.pk}", ""),
            "reason": posted.get(f"reason-{line.pk}", ""),
            "lot": posted.get(f"lot-{line.pk}", ""),
            "expiry": posted.get(f"expiry-{line.pk}", ""),
            "serials": posted.get(f"serials-{line.pk}", ""),
        }
    location_id = int_param(posted.get("location")) or (
        default_location.pk if default_location else None
    )
    status = 200
    if request.method == "POST" and request.POST.get("action") == "scan":
        code = request.POST.get("code", "").strip()
        match = line_for_code(order, code)
        line = next((ln for ln in lines if match and ln.pk == match.pk), None)
        if line is None:
            errors.append(f"Nothing on {order.number} has the code “{code}”.")
            status = 422
        else:
            count = (_number(line.entry["received"]) or ZERO) + 1
            line.entry["received"] = f"{count.normalize():f}"
            status_message = (
                f"{line.variant.sku}: {line.entry['received']} scanned "
                f"of {line.outstanding.normalize():f} outstanding."
            )
            if count > line.room:
                status_message += " That is more than may still be received."
    elif request.method == "POST":
        items = []
        for line in lines:
            received, rejected = (
                _number(line.entry["received"]),
                _number(line.entry["rejected"]),
            )
            if received is None or rejected is None:
                errors.append(f"{line.variant.sku}: enter quantities as numbers.")
                continue
            expiry = _date(line.entry["expiry"])
            if expiry is False:
                errors.append(f"{line.variant.sku}: enter the expiry as a date (YYYY-MM-DD).")
                continue
            items.append(
                ReceiveItem(
                    line.pk,
                    received,
                    rejected,
                    line.entry["reason"],
                    lot=line.entry["lot"],
                    expiry=expiry,
                    serials=_serials(line.entry["serials"]),
                )
            )
        location = next((loc for loc in locations if loc.pk == location_id), None)
        if location is None:
            errors.append("Choose where the goods go.")
        charge_amount = _number(request.POST.get("charge-amount"))
        if charge_amount is None or charge_amount < 0:
            errors.append("Enter the delivery's charge as an amount of zero or more.")
            charge_amount = ZERO
        charges = (
            [
                ChargeInput(
                    amount=charge_amount,
                    kind=request.POST.get("charge-kind", "freight"),
                    allocation=request.POST.get("charge-allocation", "value"),
                )
            ]
            if charge_amount
            else []
        )
        if not errors:
            try:
                receipt = purchase_order_receive(
                    order=order,
                    location=location,
                    items=items,
                    user=request.user,
                    note=request.POST.get("note", ""),
                    charges=charges,
                )
            except PurchasingError as exc:
                errors.append(exc.message)
            else:
                messages.success(request, f"{receipt.number} recorded: stock is in {location}.")
                if getattr(request, "htmx", False):  # a whole new page, not a swap into the form
                    return HttpResponseClientRedirect(reverse("purchasing:order", args=[order.pk]))
                return redirect("purchasing:order", pk=order.pk)
        status = 422
    context = {
        "order": order,
        "lines": lines,
        "locations": locations,
        "location_id": location_id,
        "errors": errors,
        "status_message": status_message,
        "reasons": ReceiptLine.RejectReason.choices,
        "charge_kinds": PurchaseOrderCharge.Kind.choices,
        "allocations": PurchaseOrderCharge.Allocation.choices,
        "charge_entry": {
            "kind": posted.get("charge-kind", ""),
            "amount": posted.get("charge-amount", ""),
            "allocation": posted.get("charge-allocation", ""),
        },
        "tolerance": tolerance,
    }
    return render_page_or_partial(
        request, "purchasing/receive.html", "receive-form", context, status=status
    )
