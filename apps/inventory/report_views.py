"""Inventory reports: stock valuation."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.views.decorators.http import require_GET

from apps.accounts.permissions import capability_required, user_can
from apps.catalog.models import Category
from apps.core.exports import csv_response
from apps.core.htmx import int_param, render_page_or_partial
from apps.core.pagination import paginate
from apps.inventory.models import Warehouse
from apps.inventory.valuation import GROUPS, stock_valuation, stock_valuation_totals

_CENT = Decimal("0.01")
METHODS = {"moving_average": "Moving average", "fifo": "FIFO"}
GROUP_LABELS = {
    "variant": "Per variant",
    "warehouse": "Per warehouse",
    "variant_warehouse": "Per variant and warehouse",
}


def _default_method() -> str:
    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "valuation_method", "") or "moving_average"


@require_GET
@capability_required("reports.view")
def valuation(request):
    method = request.GET.get("method") or _default_method()
    method = method if method in METHODS else "moving_average"
    group = request.GET.get("group", "variant")
    group = group if group in GROUPS else "variant"
    warehouse_id = int_param(request.GET.get("warehouse"))
    category = Category.objects.filter(pk=int_param(request.GET.get("category"))).first()
    search = request.GET.get("q", "").strip()
    value_field = "fifo_value" if method == "fifo" else "average_value"
    sort = request.GET.get("sort", "sku")
    filters = {"warehouse_id": warehouse_id, "category": category, "search": search}
    rows = stock_valuation(group=group, sort=sort, **filters)
    if request.GET.get("format") == "csv":
        if not user_can(request.user, "reports.export"):
            raise PermissionDenied("Exporting reports needs the “export reports” permission.")
        return _csv(rows, group)
    context = {
        "page": paginate(request, rows),
        "totals": stock_valuation_totals(**filters),
        "method": method,
        "methods": METHODS,
        "value_field": value_field,
        "group": group,
        "group_label": GROUP_LABELS[group],
        "method_label": METHODS[method],
        "groups": GROUP_LABELS,
        "warehouse_id": warehouse_id,
        "warehouses": Warehouse.objects.order_by("code"),
        "category_id": category.pk if category else None,
        "categories": Category.objects.order_by("path"),
        "search": search,
        "default_sort": "sku",
        "by_variant": "variant" in group,
        "by_warehouse": "warehouse" in group,
        "can_export": user_can(request.user, "reports.export"),
    }
    return render_page_or_partial(request, "inventory/valuation.html", "valuation-table", context)


def _csv(rows, group: str):
    header, keys = [], []
    if "variant" in group:
        header += ["sku", "product"]
        keys += ["variant__sku", "variant__product__name"]
    if "warehouse" in group:
        header += ["warehouse"]
        keys += ["location__warehouse__code"]
    header += ["quantity", "moving_average_value", "fifo_value"]

    def lines():
        for row in rows.iterator(chunk_size=2000):
            yield [row[k] for k in keys] + [
                row["quantity"],
                row["average_value"].quantize(_CENT),
                row["fifo_value"].quantize(_CENT),
            ]

    return csv_response("stock-valuation.csv", header, lines())
