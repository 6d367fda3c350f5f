"""Writes on the catalog."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from apps.catalog.barcodes import barcode_problem
from apps.catalog.models import Category, Product, Variant


class CatalogError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _check_variant(*, sku: str, barcode: str, exclude_pk: int | None = None) -> tuple[str, str]:
    sku = (sku or "").strip().upper()
    barcode = (barcode or "").strip()
    if not sku:
        raise CatalogError("Enter a SKU.", field="sku")
    if Variant.objects.filter(sku__iexact=sku).exclude(pk=exclude_pk).exists():
        raise CatalogError(f"SKU {sku} is already used by another variant.", field="sku")
    problem = barcode_problem(barcode)
    if problem:
        raise CatalogError(problem, field="barcode")
    if barcode and Variant.objects.filter(barcode=barcode).exclude(pk=exclude_pk).exists():
        raise CatalogError(
            f"Barcode {barcode} is already used by another variant.", field="barcode"
        )
    return sku, barcode


def product_create(
    *,
    name: str,
    category: Category | None = None,
    brand: str = "",
    unit: str = Product.Unit.EACH,
    description: str = "",
    sku: str,
    barcode: str = "",
    cost_price: Decimal = Decimal(0),
    sale_price: Decimal = Decimal(0),
    options: dict | None = None,
) -> Product:
    """A product with its first variant (every product has at least one SKU)."""
    if not (name or "").strip():
        raise CatalogError("Enter the product's name.", field="name")
    sku, barcode = _check_variant(sku=sku, barcode=barcode)
    try:
        with transaction.atomic():
            product = Product.objects.create(
                name=name.strip(),
                category=category,
                brand=brand,
                unit=unit,
                description=description,
            )
            Variant.objects.create(
                product=product,
                sku=sku,
                barcode=barcode,
                cost_price=cost_price,
                sale_price=sale_price,
                options=options or {},
            )
    except IntegrityError as exc:  # a concurrent request took the SKU or barcode
        raise CatalogError(
            "That SKU or barcode was just taken by someone else. Choose another.", field="sku"
        ) from exc
    return product


def variant_create(
    *,
    product: Product,
    sku: str,
    barcode: str = "",
    options: dict | None = None,
    cost_price: Decimal = Decimal(0),
    sale_price: Decimal = Decimal(0),
) -> Variant:
    sku, barcode = _check_variant(sku=sku, barcode=barcode)
    try:
        with transaction.atomic():
            return Variant.objects.create(
                product=product,
                sku=sku,
                barcode=barcode,
                options=options or {},
                cost_price=cost_price,
                sale_price=sale_price,
            )
    except IntegrityError as exc:
        raise CatalogError(
            "That SKU or barcode was just taken by someone else. Choose another.", field="sku"
        ) from exc


def category_create(*, name: str, parent: Category | None = None) -> Category:
    name = (name or "").strip()
    if not name:
        raise CatalogError("Enter the category's name.", field="name")
    if Category.objects.filter(parent=parent, name__iexact=name).exists():
        raise CatalogError(f"There is already a category called {name} here.", field="name")
    with transaction.atomic():
        category = Category.objects.create(
            name=name, parent=parent, depth=(parent.depth + 1) if parent else 0
        )
        category.path = f"{parent.path if parent else '/'}{category.pk}/"
        category.save(update_fields=["path"])
    return category
