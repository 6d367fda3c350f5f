from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.permissions import capability_required, user_can
from apps.catalog import services
from apps.catalog.forms import CategoryForm, ProductForm, SupplierForm, VariantForm
from apps.catalog.models import Category, Product
from apps.catalog.selectors import (
    breadcrumbs,
    categories_with_counts,
    products_list,
    suppliers_list,
)
from apps.core.htmx import int_param, render_page_or_partial
from apps.core.pagination import paginate


@require_GET
@capability_required("catalog.view")
def products(request):
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "active")
    category_id = int_param(request.GET.get("category"))
    page = paginate(
        request,
        products_list(
            search=search,
            category_id=category_id,
            status=status,
            sort=request.GET.get("sort", "name"),
        ),
    )
    context = {
        "page": page,
        "search": search,
        "status": status,
        "category_id": category_id,
        "categories": Category.objects.all(),
        "default_sort": "name",
        "can_edit": user_can(request.user, "catalog.edit"),
    }
    return render_page_or_partial(request, "catalog/products.html", "product-table", context)


@require_http_methods(["GET", "POST"])
@capability_required("catalog.edit")
def product_create(request):
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(**form.cleaned_data)
        except services.CatalogError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{product.name} created.")
            return redirect("catalog:product", pk=product.pk)
    return render(
        request, "catalog/product_form.html", {"form": form}, status=422 if form.errors else 200
    )


@require_GET
@capability_required("catalog.view")
def product_detail(request, pk: int):
    product = get_object_or_404(Product.objects.select_related("category"), pk=pk)
    variants = product.variants.prefetch_related("stock_levels__location__warehouse").order_by(
        "sku"
    )
    return render(
        request,
        "catalog/product_detail.html",
        {
            "product": product,
            "variants": variants,
            "variant_form": VariantForm(),
            "can_edit": user_can(request.user, "catalog.edit"),
        },
    )


@require_POST
@capability_required("catalog.edit")
def variant_add(request, pk: int):
    product = get_object_or_404(Product, pk=pk)
    form = VariantForm(request.POST)
    if form.is_valid():
        try:
            variant = services.variant_create(product=product, **form.cleaned_data)
        except services.CatalogError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Variant {variant.sku} added.")
            return redirect("catalog:product", pk=product.pk)
    variants = product.variants.prefetch_related("stock_levels__location__warehouse").order_by(
        "sku"
    )
    return render(
        request,
        "catalog/product_detail.html",
        {"product": product, "variants": variants, "variant_form": form, "can_edit": True},
        status=422,
    )


@require_http_methods(["GET", "POST"])
@capability_required("catalog.view")
def suppliers(request):
    form = SupplierForm(request.POST or None)
    if request.method == "POST":
        if not user_can(request.user, "catalog.edit"):
            return render(
                request,
                "errors/403.html",
                {"reason": "Only owners and managers add suppliers."},
                status=403,
            )
        if form.is_valid():
            try:
                supplier = services.supplier_create(**form.cleaned_data)
            except services.CatalogError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Supplier {supplier.name} added.")
                return redirect("catalog:suppliers")
    search = request.GET.get("q", "").strip()
    context = {
        "page": paginate(request, suppliers_list(search=search)),
        "search": search,
        "form": form,
        "can_edit": user_can(request.user, "catalog.edit"),
    }
    return render(request, "catalog/suppliers.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@capability_required("catalog.view")
def categories(request):
    form = CategoryForm(request.POST or None)
    if request.method == "POST":
        if not user_can(request.user, "catalog.edit"):
            return render(
                request,
                "errors/403.html",
                {"reason": "Only owners and managers change categories."},
                status=403,
            )
        if form.is_valid():
            try:
                category = services.category_create(**form.cleaned_data)
            except services.CatalogError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request, f"Category {' › '.join(c.name for c in breadcrumbs(category))} added."
                )
                return redirect("catalog:categories")
    context = {
        "categories": categories_with_counts(),
        "form": form,
        "can_edit": user_can(request.user, "catalog.edit"),
    }
    return render(request, "catalog/categories.html", context, status=422 if form.errors else 200)
