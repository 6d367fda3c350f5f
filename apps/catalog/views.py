"""The product list (search, filters, sorting, bulk actions), the scan box and catalog
settings. One product's pages are in product_views.py; categories and suppliers have theirs."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.permissions import capability_required, user_can
from apps.catalog import bulk
from apps.catalog.errors import CatalogError
from apps.catalog.forms import CatalogSettingsForm
from apps.catalog.models import Category, Supplier
from apps.catalog.selectors import (
    STOCK_STATUSES,
    category_choices,
    products_pages,
    variant_by_code,
)
from apps.catalog.sku import catalog_settings, pattern_problem, sku_preview
from apps.core.htmx import int_param, render_page_or_partial
from apps.core.pagination import paginate

LIST_PARAMS = ("q", "category", "supplier", "stock", "tag", "status", "sort", "per_page", "page")


def _filters(params) -> dict:
    status = params.get("status", "active")
    stock = params.get("stock", "")
    return {
        "search": params.get("q", "").strip(),
        "category_id": int_param(params.get("category")),
        "supplier_id": int_param(params.get("supplier")),
        "stock": stock if stock in STOCK_STATUSES else "",
        "tag": params.get("tag", "").strip(),
        "status": status if status in ("active", "archived", "all") else "active",
    }


@require_GET
@capability_required("catalog.view")
def products(request):
    filters = _filters(request.GET)
    sort = request.GET.get("sort", "name")
    page = paginate(request, products_pages(**filters, sort=sort))
    similar = not page.paginator.count and len(filters["search"]) >= 4
    if similar:  # nothing contains the text: show names like it (two more queries, only here)
        page = paginate(request, products_pages(**filters, sort=sort, similar=True))
    context = {
        **filters,
        "page": page,
        "similar": similar and page.paginator.count,
        "categories": category_choices(),
        "suppliers": Supplier.objects.order_by("name").only("pk", "name"),
        "stock_statuses": STOCK_STATUSES,
        "default_sort": "name",
        "filtered": any(
            filters[k] for k in ("search", "category_id", "supplier_id", "stock", "tag")
        )
        or filters["status"] != "active",
        "can_edit": user_can(request.user, "catalog.edit"),
        "query": request.GET.urlencode(),
    }
    return render_page_or_partial(request, "catalog/products.html", "product-table", context)


@require_GET
@capability_required("catalog.view")
def scan(request):
    """The scan box: a keyboard-wedge scanner types a barcode or SKU and presses Enter."""
    code = request.GET.get("code", "").strip()
    variant = variant_by_code(code)
    if variant is None:
        if code:
            messages.error(request, f"No variant has the barcode or SKU “{code[:64]}”.")
        return redirect(
            reverse("catalog:products") + ("?" + urlencode({"q": code}) if code else "")
        )
    url = reverse("catalog:product", args=[variant.product_id])
    return redirect(f"{url}#variant-{variant.pk}")


def _back(request) -> str:
    """Back to the list with the filters the bulk action was started from."""
    query = request.POST.get("query", "")
    params = {k: v for k, v in _parse_query(query).items() if k in LIST_PARAMS}
    return reverse("catalog:products") + ("?" + urlencode(params) if params else "")


def _parse_query(query: str) -> dict:
    from django.http import QueryDict

    return QueryDict(query).dict()


@require_POST
@capability_required("catalog.edit")
def bulk_action(request):
    ids = [i for i in map(int_param, request.POST.getlist("product")) if i is not None]
    action = request.POST.get("action", "")
    if action == "labels":
        if not ids:
            messages.error(request, "Choose at least one product.")
            return redirect(_back(request))
        return redirect(reverse("catalog:labels") + "?" + urlencode({"product": ids}, doseq=True))
    try:
        if action in ("archive", "unarchive"):
            count = bulk.products_archive(product_ids=ids, archived=action == "archive")
            messages.success(request, f"{count} product{'s' if count != 1 else ''} {action}d.")
        elif action == "category":
            category = None
            if request.POST.get("category"):
                category = Category.objects.filter(pk=int_param(request.POST["category"])).first()
                if category is None:
                    raise CatalogError("That category no longer exists.")
            count = bulk.products_category_set(product_ids=ids, category=category)
            where = category.name if category else "no category"
            messages.success(
                request, f"{count} product{'s' if count != 1 else ''} moved to {where}."
            )
        elif action == "prices":
            field = request.POST.get("price_field", "sale_price")
            count = bulk.prices_adjust_percent(
                product_ids=ids, percent=request.POST.get("percent", ""), field=field
            )
            messages.success(
                request,
                f"{bulk.PRICE_FIELDS.get(field, 'Price').capitalize()} changed on "
                f"{count} variant{'s' if count != 1 else ''}.",
            )
        else:
            raise CatalogError("Choose what to do with the chosen products.")
    except CatalogError as exc:
        messages.error(request, exc.message)
    return redirect(_back(request))


@require_http_methods(["GET", "POST"])
@capability_required("catalog.view")
def catalog_settings_page(request):
    current = catalog_settings()
    can_edit = user_can(request.user, "catalog.edit")
    initial = {"sku_pattern": current.sku_pattern, "sku_sequence_width": current.sku_sequence_width}
    form = CatalogSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_edit:
            return render(
                request,
                "errors/403.html",
                {"reason": "Only owners and managers change catalog settings."},
                status=403,
            )
        if form.is_valid():
            problem = pattern_problem(form.cleaned_data["sku_pattern"])
            if problem:
                form.add_error("sku_pattern", problem)
            else:
                current.sku_pattern = form.cleaned_data["sku_pattern"].strip()
                current.sku_sequence_width = form.cleaned_data["sku_sequence_width"]
                current.save()
                messages.success(request, "Catalog settings saved.")
                return redirect("catalog:settings")
    context = {
        "form": form,
        "can_edit": can_edit,
        "preview": sku_preview(pattern=current.sku_pattern, width=current.sku_sequence_width),
    }
    return render(request, "catalog/settings.html", context, status=422 if form.errors else 200)
