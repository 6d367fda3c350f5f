"""One product's pages: create, detail, edit, archive, variants, options matrix, images."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.permissions import capability_required, user_can
from apps.catalog import images as image_services
from apps.catalog import matrix, services
from apps.catalog.errors import CatalogError
from apps.catalog.forms import (
    ImageUploadForm,
    OptionAxesForm,
    ProductFieldsForm,
    ProductForm,
    VariantEditForm,
    VariantForm,
    VariantSupplierForm,
    format_axes,
)
from apps.catalog.models import Product, ProductImage, SupplierItem, Variant
from apps.catalog.selectors import breadcrumbs


def form_error(form, exc: CatalogError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@require_http_methods(["GET", "POST"])
@capability_required("catalog.edit")
def product_create(request):
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(**form.cleaned_data)
        except CatalogError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{product.name} created.")
            return redirect("catalog:product", pk=product.pk)
    return render(
        request,
        "catalog/product_form.html",
        {"form": form, "creating": True},
        status=422 if form.errors else 200,
    )


def _detail_context(request, product: Product, **forms) -> dict:
    variants = (
        product.variants.prefetch_related(
            "stock_levels__location__warehouse",
            Prefetch(
                "supplier_items",
                queryset=SupplierItem.objects.select_related("supplier").order_by(
                    "-is_preferred", "supplier__name"
                ),
            ),
        )
        .order_by("sku")
        .all()
    )
    can_edit = user_can(request.user, "catalog.edit")
    return {
        "product": product,
        "crumbs": breadcrumbs(product.category) if product.category else [],
        "variants": variants,
        "images": list(product.images.order_by("position", "pk")),
        "variant_form": forms.get("variant_form") or VariantForm(),
        "options_form": forms.get("options_form")
        or OptionAxesForm(initial={"axes": format_axes(product.option_axes)}),
        "image_form": forms.get("image_form") or ImageUploadForm(),
        "supplier_form": forms.get("supplier_form") or VariantSupplierForm(product=product),
        "missing_combos": matrix.variant_matrix_missing(product),
        "can_edit": can_edit,
    }


@require_GET
@capability_required("catalog.view")
def product_detail(request, pk: int):
    product = get_object_or_404(Product.objects.select_related("category"), pk=pk)
    return render(request, "catalog/product_detail.html", _detail_context(request, product))


@require_http_methods(["GET", "POST"])
@capability_required("catalog.edit")
def product_edit(request, pk: int):
    product = get_object_or_404(Product, pk=pk)
    initial = {
        "name": product.name,
        "category": product.category_id,
        "brand": product.brand,
        "unit": product.unit,
        "tax_class": product.tax_class,
        "tags": ", ".join(product.tags or []),
        "description": product.description,
    }
    form = ProductFieldsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product=product, **form.cleaned_data)
        except CatalogError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{product.name} saved.")
            return redirect("catalog:product", pk=product.pk)
    return render(
        request,
        "catalog/product_form.html",
        {"form": form, "product": product, "creating": False},
        status=422 if form.errors else 200,
    )


@require_POST
@capability_required("catalog.edit")
def product_archive(request, pk: int):
    product = get_object_or_404(Product, pk=pk)
    if request.POST.get("action") == "unarchive":
        services.product_unarchive(product=product)
        messages.success(request, f"{product.name} is active again.")
    else:
        services.product_archive(product=product)
        messages.success(request, f"{product.name} archived. Its stock history is kept.")
    return redirect("catalog:product", pk=product.pk)


@require_POST
@capability_required("catalog.edit")
def variant_add(request, pk: int):
    product = get_object_or_404(Product.objects.select_related("category"), pk=pk)
    form = VariantForm(request.POST)
    if form.is_valid():
        try:
            variant = services.variant_create(product=product, **form.cleaned_data)
        except CatalogError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"Variant {variant.sku} added.")
            return redirect("catalog:product", pk=product.pk)
    context = _detail_context(request, product, variant_form=form)
    return render(request, "catalog/product_detail.html", context, status=422)


@require_http_methods(["GET", "POST"])
@capability_required("catalog.edit")
def variant_edit(request, pk: int, variant_pk: int):
    variant = get_object_or_404(
        Variant.objects.select_related("product"), pk=variant_pk, product_id=pk
    )
    form = VariantEditForm.for_variant(variant, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.variant_update(variant=variant, **form.cleaned_data)
        except CatalogError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"Variant {variant.sku} saved.")
            return redirect("catalog:product", pk=pk)
    return render(
        request,
        "catalog/variant_form.html",
        {"form": form, "variant": variant, "product": variant.product},
        status=422 if form.errors else 200,
    )


@require_POST
@capability_required("catalog.edit")
def product_options(request, pk: int):
    """Save the option axes; with ``generate``, also create the missing combinations."""
    product = get_object_or_404(Product.objects.select_related("category"), pk=pk)
    form = OptionAxesForm(request.POST)
    if form.is_valid():
        try:
            matrix.product_options_set(product=product, axes=form.cleaned_data["axes"])
            if "generate" in request.POST:
                created = matrix.variant_matrix_generate(
                    product=product,
                    cost_price=form.cleaned_data["cost_price"] or 0,
                    sale_price=form.cleaned_data["sale_price"] or 0,
                )
                messages.success(
                    request,
                    f"{len(created)} variant{'s' if len(created) != 1 else ''} created."
                    if created
                    else "Every combination already has a variant.",
                )
            else:
                messages.success(request, "Options saved.")
        except CatalogError as exc:
            form_error(form, exc)
        else:
            return redirect("catalog:product", pk=pk)
    product.refresh_from_db()
    context = _detail_context(request, product, options_form=form)
    return render(request, "catalog/product_detail.html", context, status=422)


@require_POST
@capability_required("catalog.edit")
def variant_supplier_add(request, pk: int):
    """Record that a supplier sells one of this product's variants."""
    product = get_object_or_404(Product.objects.select_related("category"), pk=pk)
    form = VariantSupplierForm(request.POST, product=product)
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("variant", "supplier")}
        if not values["is_preferred"]:
            values.pop("is_preferred")  # the service makes a variant's first supplier preferred
        try:
            item = services.supplier_item_create(
                supplier=form.cleaned_data["supplier"],
                variant=form.cleaned_data["variant"],
                **values,
            )
        except CatalogError as exc:
            form.add_error(
                "supplier"
                if exc.field == "variant"
                else exc.field
                if exc.field in form.fields
                else None,
                exc.message,
            )
        else:
            messages.success(request, f"{item.supplier.name} now supplies {item.variant.sku}.")
            return redirect(reverse("catalog:product", args=[pk]) + "#suppliers")
    context = _detail_context(request, product, supplier_form=form)
    return render(request, "catalog/product_detail.html", context, status=422)


# --- images -------------------------------------------------------------------------


@require_POST
@capability_required("catalog.edit")
def image_upload(request, pk: int):
    product = get_object_or_404(Product.objects.select_related("category"), pk=pk)
    form = ImageUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            image_services.product_image_add(
                product=product,
                upload=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
            )
        except CatalogError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "Image added.")
            return redirect("catalog:product", pk=pk)
    context = _detail_context(request, product, image_form=form)
    return render(request, "catalog/product_detail.html", context, status=422)


@require_POST
@capability_required("catalog.edit")
def image_change(request, pk: int, image_pk: int):
    image = get_object_or_404(ProductImage, pk=image_pk, product_id=pk)
    action = request.POST.get("action")
    if action == "delete":
        image_services.product_image_delete(image=image)
        messages.success(request, "Image deleted.")
    elif action in ("up", "down"):
        image_services.product_image_move(image=image, direction=action)
    else:
        raise PermissionDenied("Unknown image action.")
    return redirect(reverse("catalog:product", args=[pk]) + "#images")


@require_GET
@capability_required("catalog.view")
def image_file(request, pk: int, image_pk: int, kind: str):
    """Serve a stored photo (media is per company schema and behind sign-in)."""
    image = get_object_or_404(ProductImage, pk=image_pk, product_id=pk)
    field = image.thumbnail if kind == "thumb" else image.image
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Image file missing") from exc
    response = FileResponse(
        handle, content_type="image/png" if field.name.endswith(".png") else "image/jpeg"
    )
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
