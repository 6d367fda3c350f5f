"""Picking, shipping and delivery pages: pick lists (per order and batched), the phone
scan screen, the ship form, packing slips, and marking shipped from a tracking CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.permissions import capability_required
from apps.core.htmx import int_param
from apps.core.pagination import paginate
from apps.sales import documents
from apps.sales.errors import SalesError
from apps.sales.forms import ScanForm, ShipForm, TrackingCsvForm
from apps.sales.models import PickList, PickListLine, SalesOrder, Shipment
from apps.sales.picking import pick_confirm, pick_lists_create, pick_rows
from apps.sales.shipping import ShipItem, shipment_create, shipment_deliver


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_POST
@capability_required("sales.ship")
def bulk_pick(request):
    """Bulk action of the order list: one batched pick list for the ticked orders."""
    ids = [i for i in (int_param(v) for v in request.POST.getlist("orders")) if i]
    orders = list(SalesOrder.objects.filter(pk__in=ids))
    try:
        created = pick_lists_create(orders=orders, user=request.user)
    except SalesError as exc:
        messages.error(request, exc.message)
        return redirect("sales:orders")
    messages.success(
        request,
        f"{len(created)} pick list{'s' if len(created) != 1 else ''} for {len(orders)} "
        f"order{'s' if len(orders) != 1 else ''}.",
    )
    return redirect("sales:pick_list", pk=created[0].pk)


@require_GET
@capability_required("sales.view")
def pick_lists(request):
    status = request.GET.get("status", "")
    lists = PickList.objects.select_related("warehouse", "created_by").order_by("-id")
    if status in PickList.Status.values:
        lists = lists.filter(status=status)
    return render(
        request,
        "sales/pick_lists.html",
        {"page": paginate(request, lists), "status": status, "statuses": PickList.Status.choices},
    )


@require_GET
@capability_required("sales.view")
def pick_list(request, pk: int):
    pick_list = get_object_or_404(PickList.objects.select_related("warehouse"), pk=pk)
    return render(
        request,
        "sales/pick_list.html",
        {
            "pick_list": pick_list,
            "groups": pick_rows(pick_list),
            "orders": list(pick_list.orders.select_related("customer").order_by("number")),
        },
    )


@require_GET
@capability_required("sales.view")
def pick_list_pdf(request, pk: int):
    pick_list = get_object_or_404(PickList.objects.select_related("warehouse"), pk=pk)
    return _pdf(documents.pick_list_pdf(pick_list), f"pick-list-{pick_list.pk}.pdf")


@require_http_methods(["GET", "POST"])
@capability_required("sales.ship")
def pick_scan(request, pk: int):
    """Phone screen: the next line to pick; scan the bin, then the item."""
    pick_list = get_object_or_404(PickList.objects.select_related("warehouse"), pk=pk)
    lines = list(
        pick_list.lines.select_related("location", "variant__product", "order_line__order")
    )
    todo = [line for line in lines if not line.is_picked]
    current = todo[0] if todo else None
    if request.method == "POST" and current is not None:
        line = get_object_or_404(
            PickListLine, pk=int_param(request.POST.get("line")), pick_list=pick_list
        )
        form = ScanForm(request.POST)
        if form.is_valid():
            try:
                pick_confirm(
                    line=line,
                    bin_code=form.cleaned_data["bin_code"],
                    item_code=form.cleaned_data["item_code"],
                    quantity=form.cleaned_data.get("quantity"),
                    user=request.user,
                )
            except SalesError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Picked {line.variant.sku} from {line.location.code}.")
                return redirect("sales:pick_scan", pk=pick_list.pk)
        status = 422
    else:
        form = ScanForm()
        status = 200
    return render(
        request,
        "sales/pick_scan.html",
        {
            "pick_list": pick_list,
            "current": current,
            "form": form,
            "done": len(lines) - len(todo),
            "total": len(lines),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@capability_required("sales.ship")
def order_ship(request, pk: int):
    order = get_object_or_404(SalesOrder.objects.select_related("customer"), pk=pk)
    lines = [
        line
        for line in order.lines.select_related("variant__product")
        if line.allocated_quantity > 0
    ]
    for line in lines:
        line.ship_value = request.POST.get(
            f"qty-{line.pk}", f"{line.allocated_quantity.normalize():f}"
        )
    form = ShipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        items = []
        bad = False
        for line in lines:
            raw = request.POST.get(f"qty-{line.pk}", "").strip()
            try:
                quantity = Decimal(raw) if raw else Decimal(0)
            except ArithmeticError:
                bad = True
                form.add_error(None, f"{line.variant.sku}: enter a number.")
                continue
            items.append(ShipItem(line.pk, quantity))
        if not bad:
            try:
                shipment = shipment_create(
                    order=order, items=items, user=request.user, **form.cleaned_data
                )
            except SalesError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"{shipment.number} shipped.")
                return redirect("sales:order", pk=order.pk)
    return render(
        request,
        "sales/ship.html",
        {"order": order, "lines": lines, "form": form},
        status=422 if form.errors else 200,
    )


@require_POST
@capability_required("sales.ship")
def shipment_delivered(request, pk: int):
    shipment = get_object_or_404(Shipment, pk=pk)
    try:
        shipment_deliver(shipment=shipment, user=request.user)
    except SalesError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{shipment.number} delivered.")
    return redirect("sales:order", pk=shipment.order_id)


@require_GET
@capability_required("sales.view")
def packing_slip(request, pk: int):
    shipment = get_object_or_404(Shipment.objects.select_related("order__customer"), pk=pk)
    return _pdf(documents.packing_slip_pdf(shipment), f"packing-slip-{shipment.number}.pdf")


@require_http_methods(["GET", "POST"])
@capability_required("sales.ship")
def tracking_csv(request):
    """Mark many orders shipped from a CSV of order number, carrier and tracking number:
    each row ships everything reserved for that order. Rows are independent; the page
    lists what shipped and, in words, what did not."""
    form = TrackingCsvForm(request.POST or None, request.FILES or None)
    results = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 2_000_000:
            form.add_error("file", "The file is larger than 2 MB; split it.")
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", "The file is not UTF-8 text; save it as CSV (UTF-8).")
            else:
                results = _ship_rows(text, request.user)
                if results is None:
                    form.add_error(
                        "file",
                        "The first row must name the columns order, carrier and tracking_number.",
                    )
                    results = []
    return render(
        request,
        "sales/tracking_csv.html",
        {"form": form, "results": results},
        status=422 if form.errors else 200,
    )


def _ship_rows(text: str, user) -> list[dict] | None:
    reader = csv.DictReader(io.StringIO(text))
    fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
    if not {"order", "tracking_number"} <= fields:
        return None
    results = []
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        order = SalesOrder.objects.filter(number__iexact=row.get("order", "")).first()
        result = {"row": number, "order": row.get("order", ""), "ok": False, "message": ""}
        if order is None:
            result["message"] = "No order has this number."
        else:
            try:
                shipment = shipment_create(
                    order=order,
                    carrier=row.get("carrier", ""),
                    service=row.get("service", ""),
                    tracking_number=row.get("tracking_number", ""),
                    weight_kg=row.get("weight_kg") or None,
                    user=user,
                )
            except SalesError as exc:
                result["message"] = exc.message
            except ArithmeticError:
                result["message"] = "The weight is not a number."
            else:
                result.update(ok=True, message=f"{shipment.number} shipped.", pk=order.pk)
        results.append(result)
    return results
