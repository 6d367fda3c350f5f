"""Vendor performance: every supplier's figures in a sortable list, and a scorecard per
supplier with charts (Chart.js, vendored) and a PDF."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from apps.accounts.permissions import capability_required
from apps.catalog.models import Supplier
from apps.core.htmx import render_page_or_partial
from apps.core.pdf import render_pdf
from apps.purchasing.config import company_currency
from apps.purchasing.documents import branding
from apps.purchasing.vendor_performance import scorecards

SORTS = {
    "name": lambda row: row[0].name.lower(),
    "orders": lambda row: row[1].orders,
    "on_time": lambda row: row[1].on_time_rate if row[1].on_time_rate is not None else -1,
    "lead_time": lambda row: row[1].lead_time.average if row[1].lead_time else 10**6,
    "fill_rate": lambda row: row[1].fill_rate if row[1].fill_rate is not None else -1,
    "rejection": lambda row: row[1].rejection_rate if row[1].rejection_rate is not None else -1,
}


@require_GET
@capability_required("purchasing.view")
def vendors(request):
    search = request.GET.get("q", "").strip()
    suppliers = Supplier.objects.order_by("name")
    if search:
        suppliers = suppliers.filter(name__icontains=search)
    suppliers = list(suppliers)
    cards = scorecards([s.pk for s in suppliers])
    rows = [(s, cards[s.pk]) for s in suppliers]
    sort = request.GET.get("sort", "name")
    key = SORTS.get(sort.lstrip("-"), SORTS["name"])
    rows.sort(key=key, reverse=sort.startswith("-"))
    context = {
        "page": Paginator(rows, 25).get_page(request.GET.get("page")),
        "search": search,
        "default_sort": "name",
    }
    return render_page_or_partial(request, "purchasing/vendors.html", "vendor-table", context)


def _scorecard_context(supplier: Supplier) -> dict:
    card = scorecards([supplier.pk])[supplier.pk]
    return {
        "supplier": supplier,
        "card": card,
        "company_currency": company_currency(),
        "spend_max": max(card.spend_by_month.values(), default=0),
        "chart_data": {
            "months": list(card.spend_by_month),
            "spend": [float(v) for v in card.spend_by_month.values()],
            "variance_months": list(card.price_variance_by_month),
            "variance": [float(v) for v in card.price_variance_by_month.values()],
        },
    }


@require_GET
@capability_required("purchasing.view")
def vendor_detail(request, pk: int):
    supplier = get_object_or_404(Supplier, pk=pk)
    return render(request, "purchasing/vendor_detail.html", _scorecard_context(supplier))


@require_GET
@capability_required("purchasing.view")
def vendor_pdf(request, pk: int):
    supplier = get_object_or_404(Supplier, pk=pk)
    pdf = render_pdf("purchasing/vendor_pdf.html", {**branding(), **_scorecard_context(supplier)})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="scorecard-{supplier.pk}.pdf"'
    return response
