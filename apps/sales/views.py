"""Sales order pages: the list, the form, the order page and its lifecycle actions.
Thin: parse input, call a service, show the result or the refusal in words."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.permissions import capability_required, user_can
from apps.core.htmx import int_param, render_page_or_partial
from apps.core.pagination import paginate
from apps.inventory.models import Warehouse
from apps.sales import selectors, services
from apps.sales.config import sales_settings
from apps.sales.currency import company_currency
from apps.sales.errors import SalesError
from apps.sales.forms import LineFormSet, OrderForm, SettingsForm
from apps.sales.invoicing import open_balance
from apps.sales.models import Customer, SalesOrder

Status = SalesOrder.Status

TABS = [
    ("", "All"),
    ("open", "Open"),
    ("backordered", "Backordered"),
    *Status.choices,
]


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_GET
@capability_required("sales.view")
def orders(request):
    filters = {
        "search": request.GET.get("q", "").strip()[:100],
        "status": request.GET.get("status", ""),
        "customer_id": int_param(request.GET.get("customer")),
        "warehouse_id": int_param(request.GET.get("warehouse")),
        "channel": request.GET.get("channel", ""),
        "date_from": _date(request.GET.get("from")),
        "date_to": _date(request.GET.get("to")),
    }
    qs = selectors.sales_orders(**filters, sort=request.GET.get("sort", "-ordered"))
    counts = selectors.status_counts()
    context = {
        **filters,
        "page": paginate(request, qs),
        # Backordered has no count: it would cost a scan of every open line.
        "tabs": [
            (value, label, None if value == "backordered" else counts.get(value or "all", 0))
            for value, label in TABS
        ],
        "warehouses": Warehouse.objects.order_by("code").only("pk", "code", "name"),
        "channels": SalesOrder.Channel.choices,
        "customer": Customer.objects.filter(pk=filters["customer_id"]).only("pk", "name").first()
        if filters["customer_id"]
        else None,
        "default_sort": "-ordered",
        "filtered": any(
            filters[k]
            for k in (
                "search",
                "customer_id",
                "warehouse_id",
                "channel",
                "date_from",
                "date_to",
                "status",
            )
        ),
        "can_edit": user_can(request.user, "sales.edit"),
        "can_ship": user_can(request.user, "sales.ship"),
        "today": timezone.localdate(),
        "open_statuses": SalesOrder.FILLABLE,
    }
    return render_page_or_partial(request, "sales/orders.html", "order-table", context)


# --- create and edit ------------------------------------------------------------------------


def _line_inputs(formset) -> list[services.LineInput]:
    return [
        services.LineInput(
            variant_id=f.cleaned_data["variant"].pk,
            quantity=f.cleaned_data["quantity"],
            unit_price=f.cleaned_data.get("unit_price"),
            discount_percent=f.cleaned_data.get("discount_percent") or 0,
            tax_rate=f.cleaned_data.get("tax_rate"),
        )
        for f in formset
        if f.cleaned_data.get("variant") is not None
    ]


def _lines(request, initial=None):
    if request.method == "POST":
        data = request.POST.copy()
        if request.POST.get("action") == "more":  # room for more rows, keeping what was typed
            rows = min(int_param(data.get("lines-TOTAL_FORMS")) or 1, 497)
            data["lines-TOTAL_FORMS"] = str(rows + 3)
        return LineFormSet(data, prefix="lines")
    lines = LineFormSet(prefix="lines", initial=initial)
    lines.extra = 3
    return lines


def _render_form(request, order, form, lines, status=200):
    return render(
        request,
        "sales/order_form.html",
        {
            "order": order,
            "form": form,
            "lines": lines,
            "can_price": services.is_manager(request.user),
            "settings": sales_settings(),
        },
        status=status,
    )


def _service_error(form, exc: SalesError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@require_http_methods(["GET", "POST"])
@capability_required("sales.edit")
def order_new(request):
    form = OrderForm(
        request.POST or None, initial={"customer": int_param(request.GET.get("customer"))}
    )
    lines = _lines(request)
    if request.method == "POST" and request.POST.get("action") != "more":
        if form.is_valid() and lines.is_valid():
            data = form.cleaned_data
            try:
                order = services.sales_order_create(
                    customer=data["customer"],
                    lines=_line_inputs(lines),
                    warehouse=data["warehouse"],
                    channel=data["channel"],
                    customer_reference=data["customer_reference"],
                    shipping_address=data["shipping_address"] or None,
                    promised_date=data["promised_date"],
                    notes=data["notes"],
                    user=request.user,
                )
            except SalesError as exc:
                _service_error(form, exc)
            else:
                messages.success(request, f"{order.number} saved as a draft.")
                return redirect("sales:order", pk=order.pk)
        return _render_form(request, None, form, lines, status=422)
    return _render_form(request, None, form, lines)


@require_http_methods(["GET", "POST"])
@capability_required("sales.edit")
def order_edit(request, pk: int):
    order = get_object_or_404(SalesOrder.objects.select_related("customer"), pk=pk)
    if not order.is_editable:
        messages.error(
            request,
            f"{order.number} is {order.get_status_display().lower()}; only drafts can be edited.",
        )
        return redirect("sales:order", pk=order.pk)
    form = OrderForm(
        request.POST or None,
        editing=True,
        initial={
            "customer": order.customer_id,
            "warehouse": order.warehouse_id,
            "channel": order.channel,
            "customer_reference": order.customer_reference,
            "promised_date": order.promised_date,
            "shipping_address": order.shipping_address,
            "notes": order.notes,
        },
    )
    lines = _lines(
        request,
        initial=[
            {
                "code": line.variant.sku,
                "quantity": line.quantity.normalize(),
                "unit_price": line.unit_price if line.price_overridden else None,
                "discount_percent": line.discount_percent.normalize() or None,
                "tax_rate": line.tax_rate.normalize(),
            }
            for line in order.lines.select_related("variant")
        ],
    )
    if request.method == "POST" and request.POST.get("action") != "more":
        if form.is_valid() and lines.is_valid():
            data = form.cleaned_data
            try:
                order = services.sales_order_update(
                    order=order,
                    lines=_line_inputs(lines),
                    warehouse=data["warehouse"] or False,
                    customer_reference=data["customer_reference"],
                    shipping_address=data["shipping_address"],
                    promised_date=data["promised_date"],
                    notes=data["notes"],
                    user=request.user,
                )
            except SalesError as exc:
                _service_error(form, exc)
            else:
                messages.success(request, f"{order.number} saved.")
                return redirect("sales:order", pk=order.pk)
        return _render_form(request, order, form, lines, status=422)
    return _render_form(request, order, form, lines)


# --- the order page and its actions ---------------------------------------------------------


def available_actions(user, order: SalesOrder) -> set[str]:
    """What this user may do to this order now (buttons shown; the services still check)."""
    can = {cap: user_can(user, f"sales.{cap}") for cap in ("edit", "ship", "refund")}
    s = order.status
    lines = list(order.lines.all())
    reserved = any(line.allocated_quantity > 0 for line in lines)
    allowed = set()
    if can["edit"] and s == Status.DRAFT:
        allowed |= {"edit", "confirm"}
    if can["edit"] and s in services.HOLDABLE:
        allowed.add("hold")
    if can["edit"] and s == Status.ON_HOLD:
        allowed.add("release")
    effective = order.held_from if s == Status.ON_HOLD else s
    if (
        can["edit"]
        and s in services.CANCELLABLE
        and (effective in services.CANCELLABLE_BY_STAFF or services.is_manager(user))
    ):
        allowed.add("cancel")
    if (
        can["ship"]
        and reserved
        and s in (Status.CONFIRMED, Status.PICKING, Status.PARTIALLY_SHIPPED)
    ):
        allowed |= {"pick", "pack"}
    if (
        can["ship"]
        and reserved
        and s
        in (
            Status.CONFIRMED,
            Status.PICKING,
            Status.PACKED,
            Status.PARTIALLY_SHIPPED,
        )
    ):
        allowed.add("ship")
    if can["ship"] and s == Status.SHIPPED:
        allowed.add("deliver")
    if can["edit"] and any(line.shipped_quantity > line.invoiced_quantity for line in lines):
        allowed.add("invoice")
    if can["refund"] and s in (Status.PARTIALLY_SHIPPED, Status.SHIPPED, Status.DELIVERED):
        allowed.add("return")
    return allowed


@require_GET
@capability_required("sales.view")
def order_detail(request, pk: int):
    try:
        order = selectors.sales_order_detail(pk)
    except SalesOrder.DoesNotExist:
        return render(request, "errors/404.html", status=404)
    lines = list(order.lines.all())
    context = {
        "order": order,
        "lines": lines,
        "shipments": list(order.shipments.all()),
        "invoices": list(order.invoices.all()),
        "returns": list(order.returns.all()),
        "events": list(selectors.timeline(order)),
        "moves": list(selectors.stock_effects(order)),
        "pick_lists": list(order.pick_lists.order_by("-id")),
        "actions": available_actions(request.user, order),
        "today": timezone.localdate(),
        "open_statuses": SalesOrder.FILLABLE,
        "home_currency": company_currency(),
        "can_promise": user_can(request.user, "sales.edit") and order.status in services.PROMISABLE,
        "balance": open_balance(order),
        "can_ship": user_can(request.user, "sales.ship"),
        "backordered": any(line.backordered_quantity > 0 for line in lines)
        and order.status in SalesOrder.OPEN,
    }
    return render(request, "sales/order_detail.html", context)


def _pick(order, user, comment=""):
    from apps.sales.picking import pick_lists_create

    return pick_lists_create(orders=[order], user=user)


ACTIONS = {
    "confirm": lambda order, user, comment: services.sales_order_confirm(order=order, user=user),
    "hold": lambda order, user, comment: services.sales_order_hold(
        order=order, user=user, reason=comment
    ),
    "release": lambda order, user, comment: services.sales_order_release(order=order, user=user),
    "cancel": lambda order, user, comment: services.sales_order_cancel(
        order=order, user=user, reason=comment
    ),
    "pack": lambda order, user, comment: services.sales_order_pack(order=order, user=user),
    "deliver": lambda order, user, comment: services.sales_order_deliver(order=order, user=user),
    "pick": _pick,
}
DONE = {
    "confirm": "confirmed",
    "hold": "put on hold",
    "release": "released from hold",
    "cancel": "cancelled",
    "pack": "packed",
    "deliver": "marked delivered",
    "pick": "sent to picking",
}


@require_POST
@capability_required("sales.view")
def order_action(request, pk: int, action: str):
    order = get_object_or_404(SalesOrder, pk=pk)
    if action not in ACTIONS:
        return HttpResponse(status=404)
    needed = "sales.ship" if action in ("pick", "pack", "deliver") else "sales.edit"
    if not user_can(request.user, needed):
        return render(
            request,
            "errors/403.html",
            {"reason": "Your role cannot do this to a sales order."},
            status=403,
        )
    # Anything else (wrong status, a clerk cancelling after picking) is refused by the
    # service in words, with nothing changed.
    try:
        result = ACTIONS[action](order, request.user, request.POST.get("comment", "")[:500])
    except SalesError as exc:
        messages.error(request, exc.message)
        return redirect("sales:order", pk=order.pk)
    if action == "pick":
        (pick_list,) = result[:1]
        messages.success(request, f"{order.number} sent to picking.")
        return redirect("sales:pick_list", pk=pick_list.pk)
    order = result
    message = f"{order.number} {DONE[action]}."
    if action in ("confirm", "release"):
        short = [line for line in order.lines.all() if line.backordered_quantity > 0]
        if short:
            message += f" {len(short)} line{'s' if len(short) != 1 else ''} backordered until stock arrives."
    messages.success(request, message)
    return redirect("sales:order", pk=order.pk)


@require_POST
@capability_required("sales.edit")
def order_promise(request, pk: int):
    order = get_object_or_404(SalesOrder, pk=pk)
    try:
        promised = date.fromisoformat(request.POST.get("promised_date", "").strip())
    except ValueError:
        messages.error(request, "Enter the promised date as a date (YYYY-MM-DD).")
        return redirect("sales:order", pk=order.pk)
    try:
        order = services.sales_order_promise(order=order, promised_date=promised, user=request.user)
    except SalesError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{order.number} is promised to ship by {promised:%Y-%m-%d}.")
    return redirect("sales:order", pk=order.pk)


@require_GET
@capability_required("sales.view")
def order_confirm(request, pk: int, action: str):
    """The confirmation dialog of a destructive action: modal with HTMX, page without."""
    order = get_object_or_404(SalesOrder, pk=pk)
    if action not in ("cancel", "hold"):
        return HttpResponse(status=404)
    return render(request, "sales/confirm.html", {"order": order, "action": action})


@require_GET
@capability_required("sales.edit")
def variant_search(request):
    """HTMX: the order form's product search (name, SKU or barcode) with availability."""
    return render(
        request,
        "sales/_variant_results.html",
        {"variants": selectors.variant_search(request.GET.get("q", "")[:100])},
    )


@require_http_methods(["GET", "POST"])
@capability_required("settings.manage")
def settings_edit(request):
    form = SettingsForm(request.POST or None, instance=sales_settings())
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Sales settings saved.")
        return redirect("sales:settings")
    return render(
        request, "sales/settings.html", {"form": form}, status=422 if form.errors else 200
    )
