"""Purchase order pages. Thin: parse input, call a service, show the result or the refusal."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.permissions import capability_required, user_can
from apps.catalog.models import Supplier
from apps.core.htmx import int_param, render_page_or_partial
from apps.core.pagination import paginate
from apps.inventory.models import Warehouse
from apps.purchasing import documents, selectors, services
from apps.purchasing.config import company_currency, purchasing_settings
from apps.purchasing.errors import PurchasingError
from apps.purchasing.forms import (
    ChargeFormSet,
    DecisionForm,
    LineFormSet,
    OrderForm,
    SendForm,
    SettingsForm,
)
from apps.purchasing.models import PurchaseOrder
from apps.purchasing.sending import default_message, purchase_order_send

Status = PurchaseOrder.Status

TABS = [
    ("", "All"),
    ("open", "Open"),
    ("mine", "Waiting for my approval"),
    *Status.choices,
]


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_GET
@capability_required("purchasing.view")
def orders(request):
    mine = selectors.awaiting_my_approval(request.user)
    filters = {
        "search": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", ""),
        "supplier_id": int_param(request.GET.get("supplier")),
        "warehouse_id": int_param(request.GET.get("warehouse")),
        "date_from": _date(request.GET.get("from")),
        "date_to": _date(request.GET.get("to")),
    }
    qs = selectors.purchase_orders(
        **filters, sort=request.GET.get("sort", "-ordered"), awaiting_ids=mine
    )
    counts = selectors.status_counts()
    counts["mine"] = len(mine)
    context = {
        **filters,
        "page": paginate(request, qs),
        "tabs": [(value, label, counts.get(value or "all", 0)) for value, label in TABS],
        "awaiting_mine": len(mine),
        "suppliers": Supplier.objects.order_by("name").only("pk", "name"),
        "warehouses": Warehouse.objects.order_by("code").only("pk", "code", "name"),
        "default_sort": "-ordered",
        "filtered": any(
            filters[k]
            for k in ("search", "supplier_id", "warehouse_id", "date_from", "date_to", "status")
        ),
        "can_edit": user_can(request.user, "purchasing.edit"),
        "company_currency": company_currency(),
    }
    return render_page_or_partial(request, "purchasing/orders.html", "order-table", context)


# --- create and edit ------------------------------------------------------------------------


def _line_inputs(formset) -> list[services.LineInput]:
    return [
        services.LineInput(
            variant_id=f.cleaned_data["variant"].pk,
            quantity=f.cleaned_data["quantity"],
            unit_cost=f.cleaned_data.get("unit_cost"),
            tax_rate=f.cleaned_data.get("tax_rate") or 0,
        )
        for f in formset
        if f.cleaned_data.get("variant") is not None
    ]


def _charge_inputs(formset) -> list[services.ChargeInput]:
    return [
        services.ChargeInput(
            amount=f.cleaned_data["amount"],
            kind=f.cleaned_data["kind"],
            allocation=f.cleaned_data["allocation"],
            description=f.cleaned_data.get("description", ""),
        )
        for f in formset
        if f.cleaned_data.get("amount")
    ]


def _formsets(request, *, lines_initial=None, charges_initial=None):
    if request.method == "POST":
        data = request.POST.copy()
        if request.POST.get("action") == "more":  # room for more rows, keeping what was typed
            rows = min(int_param(data.get("lines-TOTAL_FORMS")) or 1, 500)
            data["lines-TOTAL_FORMS"] = str(rows + 3)
        return LineFormSet(data, prefix="lines"), ChargeFormSet(data, prefix="charges")
    lines = LineFormSet(prefix="lines", initial=lines_initial)
    lines.extra = 3
    charges = ChargeFormSet(prefix="charges", initial=charges_initial)
    charges.extra = 2
    return lines, charges


def _render_form(request, order, form, lines, charges, status=200):
    return render(
        request,
        "purchasing/order_form.html",
        {"order": order, "form": form, "lines": lines, "charges": charges},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@capability_required("purchasing.edit")
def order_new(request):
    initial = {"supplier": int_param(request.GET.get("supplier"))}
    form = OrderForm(request.POST or None, initial=initial)
    lines, charges = _formsets(request)
    if request.method == "POST" and request.POST.get("action") != "more":
        if form.is_valid() and lines.is_valid() and charges.is_valid():
            data = form.cleaned_data
            try:
                order = services.purchase_order_create(
                    supplier=data["supplier"],
                    warehouse=data["warehouse"],
                    lines=_line_inputs(lines),
                    charges=_charge_inputs(charges),
                    currency=data["currency"],
                    exchange_rate=data["exchange_rate"],
                    expected_date=data["expected_date"],
                    notes=data["notes"],
                    user=request.user,
                )
            except PurchasingError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"{order.number} saved as a draft.")
                return redirect("purchasing:order", pk=order.pk)
        return _render_form(request, None, form, lines, charges, status=422)
    return _render_form(request, None, form, lines, charges)


@require_http_methods(["GET", "POST"])
@capability_required("purchasing.edit")
def order_edit(request, pk: int):
    order = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "warehouse"), pk=pk)
    if not order.is_editable:
        messages.error(
            request,
            f"{order.number} is {order.get_status_display().lower()}; it can no longer be edited.",
        )
        return redirect("purchasing:order", pk=order.pk)
    initial = {
        "supplier": order.supplier_id,
        "warehouse": order.warehouse_id,
        "currency": order.currency,
        "exchange_rate": order.exchange_rate,
        "expected_date": order.expected_date,
        "notes": order.notes,
    }
    form = OrderForm(request.POST or None, initial=initial, editing=True)
    lines, charges = _formsets(
        request,
        lines_initial=[
            {
                "code": line.variant.sku,
                "quantity": line.quantity.normalize(),
                "unit_cost": line.unit_cost.normalize(),
                "tax_rate": line.tax_rate.normalize(),
            }
            for line in order.lines.select_related("variant")
        ],
        charges_initial=[
            {
                "kind": c.kind,
                "description": c.description,
                "amount": c.amount,
                "allocation": c.allocation,
            }
            for c in order.charges.all()
        ],
    )
    if request.method == "POST" and request.POST.get("action") != "more":
        if form.is_valid() and lines.is_valid() and charges.is_valid():
            data = form.cleaned_data
            try:
                order = services.purchase_order_update(
                    order=order,
                    lines=_line_inputs(lines),
                    charges=_charge_inputs(charges),
                    expected_date=data["expected_date"],
                    notes=data["notes"],
                    exchange_rate=data["exchange_rate"],
                    user=request.user,
                )
            except PurchasingError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                note = (
                    " It needs approval again." if order.status == Status.AWAITING_APPROVAL else ""
                )
                messages.success(request, f"{order.number} saved.{note}")
                return redirect("purchasing:order", pk=order.pk)
        return _render_form(request, order, form, lines, charges, status=422)
    return _render_form(request, order, form, lines, charges)


# --- the order page and its actions ---------------------------------------------------------


def _actions(user, order: PurchaseOrder) -> set[str]:
    """What this user may do to this order now (buttons shown; the services still check)."""
    can = {cap: user_can(user, f"purchasing.{cap}") for cap in ("edit", "approve", "receive")}
    s = order.status
    allowed = set()
    if can["edit"] and s in (Status.DRAFT, Status.AWAITING_APPROVAL, Status.APPROVED):
        allowed.add("edit")
    if can["edit"] and s == Status.DRAFT:
        allowed.add("submit")
    if can["edit"] and s == Status.REJECTED:
        allowed.add("reopen")
    if s == Status.AWAITING_APPROVAL and services.may_approve(user, order):
        allowed |= {"approve", "reject"}
    if can["approve"] and s == Status.APPROVED:
        allowed.add("send")
    if can["approve"] and s in (
        Status.SENT,
        Status.PARTIALLY_RECEIVED,
        Status.RECEIVED,
        Status.CLOSED,
    ):
        allowed.add("charges")
    if can["receive"] and s in (Status.APPROVED, Status.SENT, Status.PARTIALLY_RECEIVED):
        allowed.add("receive")
    if can["approve"] and s in (Status.RECEIVED, Status.PARTIALLY_RECEIVED):
        allowed.add("close")
    if can["receive"] and s in (Status.PARTIALLY_RECEIVED, Status.RECEIVED, Status.CLOSED):
        allowed.add("return")
    cancellable = (
        (Status.DRAFT, Status.REJECTED)
        if not can["approve"]
        else (
            Status.DRAFT,
            Status.AWAITING_APPROVAL,
            Status.APPROVED,
            Status.REJECTED,
            Status.SENT,
        )
    )
    if can["edit"] and s in cancellable:
        allowed.add("cancel")
    return allowed


@require_GET
@capability_required("purchasing.view")
def order_detail(request, pk: int):
    order = get_object_or_404(
        PurchaseOrder.objects.select_related("supplier", "warehouse", "created_by", "approved_by"),
        pk=pk,
    )
    lines = list(order.lines.select_related("variant__product", "variant__cost"))
    for line in lines:
        line.order = order
    context = {
        "order": order,
        "lines": lines,
        "charges": list(order.charges.select_related("receipt")),
        "receipts": list(order.receipts.select_related("location", "user")),
        "returns": list(order.returns.all()),
        "events": list(selectors.timeline(order)),
        "actions": _actions(request.user, order),
        "decision_form": DecisionForm(),
        "company_currency": company_currency(),
        "approval_needed": services.approval_needed(order),
    }
    return render(request, "purchasing/order_detail.html", context)


ACTIONS = {
    "submit": lambda order, user, comment: services.purchase_order_submit(order=order, user=user),
    "approve": lambda order, user, comment: services.purchase_order_approve(
        order=order, user=user, comment=comment
    ),
    "reject": lambda order, user, comment: services.purchase_order_reject(
        order=order, user=user, comment=comment
    ),
    "reopen": lambda order, user, comment: services.purchase_order_reopen(order=order, user=user),
    "cancel": lambda order, user, comment: services.purchase_order_cancel(
        order=order, user=user, reason=comment
    ),
    "close": lambda order, user, comment: services.purchase_order_close(
        order=order, user=user, reason=comment
    ),
}
DONE = {
    "submit": "submitted",
    "approve": "approved",
    "reject": "rejected",
    "reopen": "reopened as a draft",
    "cancel": "cancelled",
    "close": "closed",
}


@require_POST
@capability_required("purchasing.view")
def order_action(request, pk: int, action: str):
    order = get_object_or_404(PurchaseOrder, pk=pk)
    if action not in ACTIONS:
        return HttpResponse(status=404)
    if action not in _actions(request.user, order):
        if order.status not in _statuses_for(action):
            messages.error(
                request,
                f"{order.number} is {order.get_status_display().lower()}, so it cannot be {DONE[action]}.",
            )
            return redirect("purchasing:order", pk=order.pk)
        return render(
            request,
            "errors/403.html",
            {"reason": "Your role cannot do this to a purchase order."},
            status=403,
        )
    form = DecisionForm(request.POST)
    comment = form.data.get("comment", "")
    try:
        order = ACTIONS[action](order, request.user, comment)
    except PurchasingError as exc:
        messages.error(request, exc.message)
    else:
        if action == "submit" and order.status == Status.AWAITING_APPROVAL:
            messages.success(
                request, f"{order.number} is waiting for approval; approvers were emailed."
            )
        elif action == "submit":
            messages.success(
                request, f"{order.number} approved: no approval is needed for this total."
            )
        else:
            messages.success(request, f"{order.number} {DONE[action]}.")
    return redirect("purchasing:order", pk=order.pk)


def _statuses_for(action: str) -> tuple:
    return {
        "submit": (Status.DRAFT,),
        "approve": (Status.AWAITING_APPROVAL,),
        "reject": (Status.AWAITING_APPROVAL,),
        "reopen": (Status.REJECTED,),
        "cancel": (
            Status.DRAFT,
            Status.AWAITING_APPROVAL,
            Status.APPROVED,
            Status.REJECTED,
            Status.SENT,
        ),
        "close": (Status.RECEIVED, Status.PARTIALLY_RECEIVED),
    }[action]


@require_GET
@capability_required("purchasing.view")
def order_confirm(request, pk: int, action: str):
    """The confirmation dialog of a final action (cancel, close): modal with HTMX, page without."""
    order = get_object_or_404(PurchaseOrder, pk=pk)
    if action not in ("cancel", "close"):
        return HttpResponse(status=404)
    return render(request, "purchasing/confirm.html", {"order": order, "action": action})


@require_GET
@capability_required("purchasing.view")
def order_pdf(request, pk: int):
    order = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "warehouse"), pk=pk)
    response = HttpResponse(documents.purchase_order_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@capability_required("purchasing.approve")
def order_send(request, pk: int):
    order = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "warehouse"), pk=pk)
    form = SendForm(
        request.POST or None,
        initial={
            "to": order.supplier.email,
            "subject": f"Purchase order {order.number}",
            "message": default_message(order),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            purchase_order_send(order=order, user=request.user, **form.cleaned_data)
        except PurchasingError as exc:
            form.add_error("to" if exc.field == "to" else None, exc.message)
        else:
            messages.success(request, f"{order.number} emailed to {form.cleaned_data['to']}.")
            return redirect("purchasing:order", pk=order.pk)
    return render(
        request,
        "purchasing/send.html",
        {"order": order, "form": form},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@capability_required("settings.manage")
def settings_edit(request):
    settings = purchasing_settings()
    form = SettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Purchasing settings saved.")
        return redirect("purchasing:settings")
    return render(
        request,
        "purchasing/settings.html",
        {"form": form, "company_currency": company_currency()},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@capability_required("purchasing.approve")
def order_charges(request, pk: int):
    """Charges invoiced after the order went out (freight, duty): landed cost again."""
    from apps.purchasing.charges import AFTER_SENDING, purchase_order_charges_set

    order = get_object_or_404(PurchaseOrder.objects.select_related("supplier"), pk=pk)
    if order.status not in AFTER_SENDING:
        messages.error(request, "Change the charges of an order that is not sent yet with Edit.")
        return redirect("purchasing:order", pk=order.pk)
    initial = [
        {
            "kind": c.kind,
            "description": c.description,
            "amount": c.amount,
            "allocation": c.allocation,
        }
        for c in order.charges.filter(receipt__isnull=True)
    ]
    if request.method == "POST":
        charges = ChargeFormSet(request.POST, prefix="charges")
        if charges.is_valid():
            try:
                purchase_order_charges_set(
                    order=order, charges=_charge_inputs(charges), user=request.user
                )
            except PurchasingError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"Charges of {order.number} saved; landed costs updated.")
                return redirect("purchasing:order", pk=order.pk)
    else:
        charges = ChargeFormSet(prefix="charges", initial=initial)
        charges.extra = 2
    return render(
        request,
        "purchasing/charges.html",
        {"order": order, "charges": charges},
        status=422 if request.method == "POST" else 200,
    )
