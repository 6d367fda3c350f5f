from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.permissions import capability_required, user_can
from apps.catalog.selectors import variant_by_code
from apps.core.exports import csv_response
from apps.core.htmx import int_param, render_page_or_partial
from apps.core.pagination import paginate
from apps.inventory import transfers as transfers_service
from apps.inventory import warehousing
from apps.inventory.forms import (
    AdjustmentForm,
    LocationForm,
    ReorderRuleForm,
    TransferForm,
    WarehouseForm,
)
from apps.inventory.lot_selectors import expiring_lots
from apps.inventory.models import Location, ReorderRule, StockMove, Transfer, Warehouse
from apps.inventory.selectors import CappedCount, low_stock, movement_history, stock_levels
from apps.inventory.services import InventoryError, MoveLine, stock_moves_post

EXPIRY_WINDOWS = (7, 30, 60, 90, 180)


@require_GET
@capability_required("inventory.view")
def levels(request):
    search = request.GET.get("q", "").strip()
    warehouse_id = int_param(request.GET.get("warehouse"))
    qs = stock_levels(search=search, warehouse_id=warehouse_id, sort=request.GET.get("sort", "sku"))
    if request.GET.get("format") == "csv":
        rows = (
            (
                lv.variant.sku,
                lv.variant.product.name,
                lv.location.warehouse.code,
                lv.location.code,
                lv.on_hand,
                lv.reserved,
                lv.available_qty,
            )
            for lv in qs.iterator(chunk_size=2000)
        )
        return csv_response(
            "stock-levels.csv",
            ["sku", "product", "warehouse", "location", "on_hand", "reserved", "available"],
            rows,
        )
    page = paginate(request, qs)
    context = {
        "page": page,
        "search": search,
        "warehouse_id": warehouse_id,
        "warehouses": Warehouse.objects.filter(is_active=True),
        "default_sort": "sku",
        "can_adjust": user_can(request.user, "inventory.adjust"),
    }
    return render_page_or_partial(request, "inventory/levels.html", "level-table", context)


@require_http_methods(["GET", "POST"])
@capability_required("inventory.view")
def warehouses(request):
    form = WarehouseForm(request.POST or None)
    if request.method == "POST":
        if not user_can(request.user, "inventory.manage_warehouses"):
            return render(
                request,
                "errors/403.html",
                {"reason": "Only owners and managers create warehouses."},
                status=403,
            )
        if form.is_valid():
            try:
                warehouse = warehousing.warehouse_create(**form.cleaned_data)
            except InventoryError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    f"Warehouse {warehouse.code} created with receiving and in-transit locations.",
                )
                return redirect("inventory:warehouse", pk=warehouse.pk)
    context = {
        "warehouses": Warehouse.objects.order_by("code"),
        "form": form,
        "can_manage": user_can(request.user, "inventory.manage_warehouses"),
    }
    return render(request, "inventory/warehouses.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@capability_required("inventory.view")
def warehouse_detail(request, pk: int):
    warehouse = get_object_or_404(Warehouse, pk=pk)
    form = LocationForm(request.POST or None)
    if request.method == "POST":
        if not user_can(request.user, "inventory.manage_warehouses"):
            return render(
                request,
                "errors/403.html",
                {"reason": "Only owners and managers add locations."},
                status=403,
            )
        if form.is_valid():
            try:
                location = warehousing.location_create(warehouse=warehouse, **form.cleaned_data)
            except InventoryError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Location {location} added.")
                return redirect("inventory:warehouse", pk=warehouse.pk)
    return warehouse_page(request, warehouse, form=form)


def warehouse_page(request, warehouse: Warehouse, *, form=None, rule_form=None):
    """The warehouse page: its locations and its own reorder rules (with the forms to add them)."""
    rule_search = request.GET.get("rq", "").strip()
    rules = ReorderRule.objects.filter(warehouse=warehouse).select_related("variant__product")
    if rule_search:
        rules = rules.filter(variant__sku__icontains=rule_search)
    context = {
        "warehouse": warehouse,
        "locations": warehouse.locations.order_by("code"),
        "form": form or LocationForm(),
        "rule_form": rule_form or ReorderRuleForm(),
        "rules": paginate(request, rules.order_by("variant__sku", "pk")),
        "rule_search": rule_search,
        "can_manage": user_can(request.user, "inventory.manage_warehouses"),
    }
    failed = (form is not None and form.errors) or (rule_form is not None and rule_form.errors)
    return render(
        request, "inventory/warehouse_detail.html", context, status=422 if failed else 200
    )


@require_http_methods(["GET", "POST"])
@capability_required("inventory.adjust")
def adjust(request):
    form = AdjustmentForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        variant = variant_by_code(data["code"])
        if variant is None:
            form.add_error("code", f"No variant has the barcode or SKU “{data['code']}”.")
        elif form.check_tracking(variant):
            try:
                stock_moves_post(
                    lines=[
                        MoveLine(
                            variant.pk,
                            data["location"].pk,
                            data["quantity"],
                            data["unit_cost"],
                            lot=data["lot"].strip(),
                            expiry=data["expiry"],
                            serials=data["serials"],
                        )
                    ],
                    kind=StockMove.Kind.ADJUSTMENT,
                    reason=data["reason"],
                    note=data["note"],
                    user=request.user,
                )
            except InventoryError as exc:
                form.add_error("quantity", exc.message)
            else:
                messages.success(
                    request, f"{variant.sku} at {data['location']}: {data['quantity']:+} recorded."
                )
                return redirect(f"{request.path}?location={data['location'].pk}")
    return render(
        request, "inventory/adjust.html", {"form": form}, status=422 if form.errors else 200
    )


@require_GET
@capability_required("inventory.view")
def history(request):
    code = request.GET.get("code", "").strip()
    variant = variant_by_code(code) if code else None
    kind = request.GET.get("kind", "")
    qs = movement_history(
        variant_id=variant.pk if variant else int_param(request.GET.get("variant")),
        location_id=int_param(request.GET.get("location")),
        kind=kind if kind in StockMove.Kind.values else "",
    )
    if code and variant is None:
        qs = qs.none()  # an unknown code shows nothing, not everything
    context = {
        "page": paginate(request, CappedCount(qs)),
        "kinds": StockMove.Kind.choices,
        "variant": variant,
        "code": code,
        "kind": kind,
    }
    return render_page_or_partial(request, "inventory/history.html", "history-table", context)


@require_GET
@capability_required("inventory.view")
def transfers(request):
    # An aggregate drops Meta.ordering, so the order is said again.
    qs = (
        Transfer.objects.select_related("source", "destination")
        .annotate(line_count=Count("lines"))
        .order_by("-created_at", "-id")
    )
    status = request.GET.get("status", "")
    if status in Transfer.Status.values:
        qs = qs.filter(status=status)
    context = {
        "page": paginate(request, qs),
        "status": status,
        "statuses": Transfer.Status.choices,
        "can_transfer": user_can(request.user, "inventory.transfer"),
    }
    return render(request, "inventory/transfers.html", context)


@require_http_methods(["GET", "POST"])
@capability_required("inventory.transfer")
def transfer_new(request):
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source_location = data["source_location"]
        try:
            transfer = transfers_service.transfer_create(
                source=source_location.warehouse,
                destination=data["destination"],
                items=[
                    transfers_service.TransferItem(v.pk, source_location.pk, q)
                    for v, q in data["lines"]
                ],
                user=request.user,
                note=data["note"],
            )
        except InventoryError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, f"{transfer.number} saved as a draft. Ship it when the goods leave."
            )
            return redirect("inventory:transfer", pk=transfer.pk)
    return render(
        request, "inventory/transfer_new.html", {"form": form}, status=422 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@capability_required("inventory.view")
def transfer_detail(request, pk: int):
    transfer = get_object_or_404(
        Transfer.objects.select_related("source", "destination", "created_by"), pk=pk
    )
    if request.method == "POST":
        if not user_can(request.user, "inventory.transfer"):
            return render(
                request,
                "errors/403.html",
                {"reason": "Your role cannot ship or receive transfers."},
                status=403,
            )
        action = request.POST.get("action")
        try:
            if action == "ship":
                transfers_service.transfer_ship(transfer=transfer, user=request.user)
                messages.success(request, f"{transfer.number} shipped: the goods are in transit.")
            elif action == "receive":
                location = get_object_or_404(Location, pk=int_param(request.POST.get("location")))
                received = {
                    line.pk: _decimal(request.POST.get(f"received-{line.pk}"), line.quantity)
                    for line in transfer.lines.all()
                }
                transfers_service.transfer_receive(
                    transfer=transfer, location=location, received=received, user=request.user
                )
                messages.success(request, f"{transfer.number} received.")
            elif action == "close":
                transfers_service.transfer_close(transfer=transfer)
                messages.success(request, f"{transfer.number} closed.")
            elif action == "cancel":
                transfers_service.transfer_cancel(transfer=transfer)
                messages.success(request, f"{transfer.number} cancelled.")
        except InventoryError as exc:
            messages.error(request, exc.message)
        return redirect("inventory:transfer", pk=transfer.pk)
    context = {
        "transfer": transfer,
        "lines": transfer.lines.select_related("variant__product", "source_location"),
        "receive_locations": transfer.destination.locations.exclude(kind="transit").order_by(
            "kind", "code"
        ),
        "can_transfer": user_can(request.user, "inventory.transfer"),
    }
    return render(request, "inventory/transfer_detail.html", context)


def _decimal(value, default):
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(value) if value not in (None, "") else default
    except InvalidOperation:
        return default


@require_GET
@capability_required("inventory.view")
def expiring(request):
    search = request.GET.get("q", "").strip()
    warehouse_id = int_param(request.GET.get("warehouse"))
    days = int_param(request.GET.get("days"))
    days = days if days in EXPIRY_WINDOWS else 30
    qs = expiring_lots(
        days=days, warehouse_id=warehouse_id, search=search, sort=request.GET.get("sort", "expiry")
    )
    context = {
        "page": paginate(request, qs),
        "search": search,
        "warehouse_id": warehouse_id,
        "warehouses": Warehouse.objects.filter(is_active=True),
        "days": days,
        "windows": EXPIRY_WINDOWS,
        "today": timezone.localdate(),
        "default_sort": "expiry",
    }
    return render_page_or_partial(request, "inventory/expiring.html", "expiring-table", context)


@require_GET
@capability_required("inventory.view")
def low_stock_list(request):
    search = request.GET.get("q", "").strip()
    warehouse_id = int_param(request.GET.get("warehouse"))
    qs = low_stock(
        search=search, warehouse_id=warehouse_id, sort=request.GET.get("sort", "on_hand")
    )
    context = {
        "page": paginate(request, qs),
        "search": search,
        "warehouse_id": warehouse_id,
        "warehouses": Warehouse.objects.filter(is_active=True),
        "default_sort": "on_hand",
    }
    return render_page_or_partial(request, "inventory/low_stock.html", "low-stock-table", context)
