"""The reorder suggestions page: grouped by preferred supplier; a selection becomes drafts."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from apps.accounts.permissions import capability_required, user_can
from apps.catalog.models import Supplier
from apps.core.htmx import int_param, render_page_or_partial
from apps.inventory.models import Warehouse
from apps.purchasing.config import company_currency
from apps.purchasing.errors import PurchasingError
from apps.purchasing.replenishment import (
    Pick,
    purchase_orders_from_suggestions,
    reorder_suggestions,
)

PER_PAGE = 50


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@require_http_methods(["GET", "POST"])
@capability_required("forecasting.view")
def suggestions(request):
    if request.method == "POST":
        if not user_can(request.user, "purchasing.edit"):
            raise PermissionDenied(
                "Drafting purchase orders needs the clerk, manager or owner role."
            )
        return _create(request)
    filters = {
        "search": request.GET.get("q", "").strip(),
        "warehouse_id": int_param(request.GET.get("warehouse")),
        "supplier_id": int_param(request.GET.get("supplier")),
    }
    rows = reorder_suggestions(**filters)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    groups = [
        (supplier, list(items))
        for supplier, items in groupby(page.object_list, key=lambda s: s.supplier)
    ]
    currency = company_currency()
    context = {
        **filters,
        "page": page,
        "groups": groups,
        "foreign_currencies": sorted(
            {s.supplier.currency for s in rows if s.supplier and s.supplier.currency != currency}
        ),
        "company_currency": currency,
        "suppliers": Supplier.objects.filter(is_active=True).only("pk", "name"),
        "warehouses": Warehouse.objects.filter(is_active=True).only("pk", "code"),
        "can_order": user_can(request.user, "purchasing.edit"),
    }
    return render_page_or_partial(
        request, "purchasing/suggestions.html", "suggestion-table", context
    )


def _create(request):
    picks, problems = [], []
    for key in request.POST.getlist("pick"):
        variant_id, _, warehouse_id = key.partition("-")
        quantity = _decimal(request.POST.get(f"qty-{key}", ""))
        if not (variant_id.isdigit() and warehouse_id.isdigit()):
            continue
        if quantity is None or quantity <= 0:
            problems.append("Each chosen suggestion needs a quantity above zero.")
            continue
        picks.append(Pick(int(variant_id), int(warehouse_id), quantity))
    rates = {}
    for name, value in request.POST.items():
        if name.startswith("rate-") and value.strip():
            rate = _decimal(value)
            if rate is None or rate <= 0:
                problems.append(f"The exchange rate for {name[5:]} must be a number above zero.")
            else:
                rates[name[5:]] = rate
    if problems:
        messages.error(request, problems[0])
        return redirect(request.get_full_path())
    try:
        orders = purchase_orders_from_suggestions(picks=picks, user=request.user, rates=rates)
    except PurchasingError as exc:
        messages.error(request, exc.message)
        return redirect(request.get_full_path())
    numbers = ", ".join(o.number for o in orders)
    messages.success(
        request, f"{len(orders)} draft purchase order{'s' if len(orders) != 1 else ''}: {numbers}."
    )
    if len(orders) == 1:
        return redirect("purchasing:order", pk=orders[0].pk)
    return redirect("/purchasing/?status=draft")
