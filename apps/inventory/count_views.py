"""Pages of cycle counts: list, open a count, count (scan or key in), review, post, sheet PDF."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.permissions import capability_required, user_can
from apps.catalog.selectors import variant_by_code
from apps.core.htmx import int_param, render_page_or_partial
from apps.core.pagination import paginate
from apps.core.pdf import pdf_response
from apps.inventory import counts as counts_service
from apps.inventory.count_selectors import count_lines, count_totals, stock_counts
from apps.inventory.forms import StockCountForm
from apps.inventory.models import Location, StockCount, StockCountLine
from apps.inventory.services import InventoryError, _qty

SHOW_CHOICES = [
    ("all", "All lines"),
    ("uncounted", "Not counted yet"),
    ("counted", "Counted"),
    ("variances", "With a variance"),
]


def _count(pk: int) -> StockCount:
    return get_object_or_404(
        StockCount.objects.select_related(
            "warehouse", "zone", "category", "created_by", "posted_by"
        ),
        pk=pk,
    )


def _shows_system(user, count: StockCount) -> bool:
    """Blind counts hide the system quantity (and so the variance) from counters."""
    return not count.blind or not count.is_open or user_can(user, "inventory.post_count")


@require_GET
@capability_required("inventory.view")
def counts(request):
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    qs = stock_counts(search=search, status=status, sort=request.GET.get("sort", "-created"))
    context = {
        "page": paginate(request, qs),
        "search": search,
        "status": status,
        "statuses": StockCount.Status.choices,
        "default_sort": "-created",
        "can_count": user_can(request.user, "inventory.count"),
    }
    return render_page_or_partial(request, "inventory/counts.html", "count-table", context)


@require_http_methods(["GET", "POST"])
@capability_required("inventory.count")
def count_new(request):
    initial = {
        "warehouse": int_param(request.GET.get("warehouse")),
        "zone": int_param(request.GET.get("zone")),
    }
    form = StockCountForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            count = counts_service.stock_count_create(**form.cleaned_data, user=request.user)
        except InventoryError as exc:
            form.add_error(None, exc.message)
        else:
            lines = count.lines.count()
            messages.success(
                request,
                f"{count.number} opened with {lines} line{'s' if lines != 1 else ''}. "
                "Scan or key in what you find.",
            )
            return redirect("inventory:count", pk=count.pk)
    return render(
        request, "inventory/count_new.html", {"form": form}, status=422 if form.errors else 200
    )


def _detail_context(request, count: StockCount) -> dict:
    show = request.GET.get("show", "all")
    shows_system = _shows_system(request.user, count)
    if show == "variances" and not shows_system:
        show = "all"
    search = request.GET.get("q", "").strip()
    location_id = int_param(request.GET.get("location"))
    sort = request.GET.get("sort", "location")
    if not shows_system and sort.lstrip("-") in ("variance", "value"):
        sort = "location"
    lines = count_lines(count=count, search=search, show=show, location_id=location_id, sort=sort)
    locations = Location.objects.filter(
        pk__in=counts_service.count_scope_locations(warehouse=count.warehouse, zone=count.zone)
    ).order_by("code")
    return {
        "count": count,
        "page": paginate(request, lines, per_page=50),
        "search": search,
        "show": show,
        "show_choices": [c for c in SHOW_CHOICES if shows_system or c[0] != "variances"],
        "location_id": location_id,
        "locations": locations,
        "default_sort": "location",
        "shows_system": shows_system,
        "can_count": count.is_open and user_can(request.user, "inventory.count"),
        "can_post": count.is_open and user_can(request.user, "inventory.post_count"),
    }


@require_GET
@capability_required("inventory.view")
def count_detail(request, pk: int):
    count = _count(pk)
    context = _detail_context(request, count)
    context["totals"] = count_totals(count=count)
    context["scan_location_id"] = int_param(request.GET.get("scan_location"))
    return render_page_or_partial(request, "inventory/count_detail.html", "count-lines", context)


def _changed(response: HttpResponse, message: str) -> HttpResponse:
    response["HX-Trigger"] = json.dumps({"countChanged": message})
    return response


@require_POST
@capability_required("inventory.count")
def count_scan(request, pk: int):
    """A scan box: a barcode or SKU (a wedge scanner types it and presses Enter) adds the
    quantity (1 unless changed) to what is counted at the chosen location."""
    count = _count(pk)
    code = request.POST.get("code", "").strip()
    location = Location.objects.filter(pk=int_param(request.POST.get("location"))).first()
    quantity = request.POST.get("quantity", "").strip() or "1"
    line, error = None, ""
    variant = variant_by_code(code) if code else None
    if not code:
        error = "Scan or type a barcode or SKU."
    elif variant is None:
        error = f"No variant has the barcode or SKU “{code}”."
    elif location is None:
        error = "Choose the location you are counting."
    else:
        try:
            line = counts_service.stock_count_record(
                count=count,
                variant=variant,
                location=location,
                quantity=quantity,
                add=True,
                user=request.user,
            )
        except InventoryError as exc:
            error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _scan_message(line))
        suffix = f"?scan_location={location.pk}" if location else ""
        return redirect(reverse("inventory:count", args=[count.pk]) + suffix)
    context = {
        "scan_error": error,
        "scan_message": _scan_message(line) if line else "",
    }
    response = render(
        request, "inventory/count_detail.html#scan-result", context, status=422 if error else 200
    )
    return response if error else _changed(response, context["scan_message"])


def _scan_message(line: StockCountLine | None) -> str:
    if line is None:
        return ""
    return f"{line.variant.sku} at {line.location.code}: {_qty(line.counted_quantity)} counted."


@require_POST
@capability_required("inventory.count")
def count_line_set(request, pk: int, line_pk: int):
    """Key in (or clear) the counted quantity of one line."""
    count = _count(pk)
    line = get_object_or_404(
        StockCountLine.objects.select_related("variant__product", "location"),
        pk=line_pk,
        count=count,
    )
    error = ""
    try:
        line = counts_service.stock_count_record(
            count=count,
            variant=line.variant,
            location=line.location,
            quantity=request.POST.get("counted", "").strip() or None,
            user=request.user,
        )
    except InventoryError as exc:
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("inventory:count", pk=count.pk)
    context = {
        "count": count,
        "line": count_lines(count=count).filter(pk=line.pk).first(),
        "line_error": error,
        "posted_value": request.POST.get("counted"),
        "shows_system": _shows_system(request.user, count),
        "can_count": True,
    }
    response = render(
        request, "inventory/count_detail.html#count-row", context, status=422 if error else 200
    )
    return response if error else _changed(response, f"{line.variant.sku} saved.")


@require_GET
@capability_required("inventory.view")
def count_review(request, pk: int):
    count = _count(pk)
    if not _shows_system(request.user, count):
        raise PermissionDenied(
            "This is a blind count: its variances are reviewed by owners and managers."
        )
    show = request.GET.get("show", "variances")
    sort = request.GET.get("sort", "-value")
    lines = count_lines(
        count=count, show=show if show in dict(SHOW_CHOICES) else "variances", sort=sort
    )
    context = {
        "count": count,
        "page": paginate(request, lines, per_page=50),
        "totals": count_totals(count=count),
        "show": show,
        "show_choices": SHOW_CHOICES,
        "default_sort": "-value",
        "can_post": count.is_open and user_can(request.user, "inventory.post_count"),
    }
    return render_page_or_partial(request, "inventory/count_review.html", "review-table", context)


@require_POST
@capability_required("inventory.post_count")
def count_post(request, pk: int):
    count = _count(pk)
    try:
        counts_service.stock_count_post(
            count=count,
            user=request.user,
            uncounted_as_zero=request.POST.get("uncounted_as_zero") == "on",
        )
    except InventoryError as exc:
        messages.error(request, exc.message)
        return redirect("inventory:count_review", pk=count.pk)
    messages.success(
        request, f"{count.number} posted: the variances are booked as count corrections."
    )
    return redirect("inventory:count", pk=count.pk)


@require_POST
@capability_required("inventory.post_count")
def count_cancel(request, pk: int):
    count = _count(pk)
    try:
        counts_service.stock_count_cancel(count=count)
    except InventoryError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{count.number} cancelled; nothing was booked.")
    return redirect("inventory:count", pk=count.pk)


@require_GET
@capability_required("inventory.view")
def count_sheet(request, pk: int):
    """The printable count sheet, by location. A blind count's sheet hides quantities."""
    count = _count(pk)
    lines = (
        StockCountLine.objects.filter(count=count)
        .select_related("variant__product", "location")
        .order_by("location__code", "variant__sku", "pk")
    )
    return pdf_response(
        "inventory/count_sheet.html",
        {"count": count, "lines": lines, "show_quantities": not count.blind},
        request=request,
        filename=f"{count.number}.pdf",
    )
