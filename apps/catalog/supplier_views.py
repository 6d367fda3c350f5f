"""Supplier pages: list with search and sorting, detail with the supplier's items, edit."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.permissions import capability_required, user_can
from apps.catalog import services
from apps.catalog.errors import CatalogError
from apps.catalog.forms import SupplierForm, SupplierItemEditForm, SupplierItemForm
from apps.catalog.models import Supplier, SupplierItem
from apps.catalog.selectors import supplier_items, suppliers_list
from apps.core.htmx import render_page_or_partial
from apps.core.pagination import paginate

SUPPLIER_FIELDS = [f for f in SupplierForm.base_fields]


def _error(form, exc: CatalogError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _forbidden(request):
    return render(
        request,
        "errors/403.html",
        {"reason": "Only owners and managers change suppliers."},
        status=403,
    )


@require_http_methods(["GET", "POST"])
@capability_required("catalog.view")
def suppliers(request):
    form = SupplierForm(request.POST or None)
    if request.method == "POST":
        if not user_can(request.user, "catalog.edit"):
            return _forbidden(request)
        if form.is_valid():
            try:
                supplier = services.supplier_create(**form.cleaned_data)
            except CatalogError as exc:
                _error(form, exc)
            else:
                messages.success(request, f"Supplier {supplier.name} added.")
                return redirect("catalog:supplier", pk=supplier.pk)
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "active")
    context = {
        "page": paginate(
            request,
            suppliers_list(search=search, status=status, sort=request.GET.get("sort", "name")),
        ),
        "search": search,
        "status": status,
        "default_sort": "name",
        "form": form,
        "can_edit": user_can(request.user, "catalog.edit"),
    }
    if request.method == "POST":
        return render(request, "catalog/suppliers.html", context, status=422)
    return render_page_or_partial(request, "catalog/suppliers.html", "supplier-table", context)


def _detail(request, supplier: Supplier, *, item_form=None, status=200):
    items = list(supplier_items(supplier))
    can_edit = user_can(request.user, "catalog.edit")
    for item in items:
        item.form = SupplierItemEditForm(
            initial={f: getattr(item, f) for f in SupplierItemEditForm.base_fields},
            prefix=f"item{item.pk}",
        )
    context = {
        "supplier": supplier,
        "items": items,
        "item_form": item_form or SupplierItemForm(),
        "can_edit": can_edit,
    }
    return render(request, "catalog/supplier_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@capability_required("catalog.view")
def supplier_detail(request, pk: int):
    """The supplier and what it sells us; POST adds a supplier item."""
    supplier = get_object_or_404(Supplier, pk=pk)
    if request.method == "GET":
        return _detail(request, supplier)
    if not user_can(request.user, "catalog.edit"):
        return _forbidden(request)
    form = SupplierItemForm(request.POST)
    if form.is_valid():
        values = {
            k: v for k, v in form.cleaned_data.items() if k not in ("variant_code", "variant")
        }
        if not form.cleaned_data["is_preferred"]:
            values.pop("is_preferred")  # let the service make the first supplier preferred
        try:
            item = services.supplier_item_create(
                supplier=supplier, variant=form.cleaned_data["variant"], **values
            )
        except CatalogError as exc:
            form.add_error("variant_code" if exc.field == "variant" else None, exc.message)
        else:
            messages.success(request, f"{item.variant.sku} added to {supplier.name}.")
            return redirect("catalog:supplier", pk=pk)
    return _detail(request, supplier, item_form=form, status=422)


@require_http_methods(["GET", "POST"])
@capability_required("catalog.edit")
def supplier_edit(request, pk: int):
    supplier = get_object_or_404(Supplier, pk=pk)
    if request.method == "POST" and request.POST.get("action") in ("archive", "unarchive"):
        if request.POST["action"] == "archive":
            services.supplier_archive(supplier=supplier)
            messages.success(request, f"{supplier.name} archived.")
        else:
            services.supplier_unarchive(supplier=supplier)
            messages.success(request, f"{supplier.name} is active again.")
        return redirect("catalog:supplier", pk=pk)
    initial = {f: getattr(supplier, f) for f in SUPPLIER_FIELDS}
    form = SupplierForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_update(supplier=supplier, **form.cleaned_data)
        except CatalogError as exc:
            _error(form, exc)
        else:
            messages.success(request, f"{supplier.name} saved.")
            return redirect("catalog:supplier", pk=pk)
    return render(
        request,
        "catalog/supplier_form.html",
        {"form": form, "supplier": supplier},
        status=422 if form.errors else 200,
    )


@require_POST
@capability_required("catalog.edit")
def supplier_item_change(request, pk: int, item_pk: int):
    item = get_object_or_404(
        SupplierItem.objects.select_related("variant"), pk=item_pk, supplier_id=pk
    )
    action = request.POST.get("action")
    if action == "delete":
        services.supplier_item_delete(item=item)
        messages.success(request, f"{item.variant.sku} removed from this supplier.")
        return redirect("catalog:supplier", pk=pk)
    if action == "prefer":
        services.supplier_item_update(item=item, is_preferred=True)
        messages.success(request, f"Now the preferred supplier of {item.variant.sku}.")
        return redirect("catalog:supplier", pk=pk)
    form = SupplierItemEditForm(request.POST, prefix=f"item{item.pk}")
    if form.is_valid():
        try:
            services.supplier_item_update(item=item, **form.cleaned_data)
        except CatalogError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{item.variant.sku} saved.")
    else:
        problems = "; ".join(f"{form.fields[f].label or f}: {e[0]}" for f, e in form.errors.items())
        messages.error(request, f"{item.variant.sku} not saved — {problems}")
    return redirect("catalog:supplier", pk=pk)
