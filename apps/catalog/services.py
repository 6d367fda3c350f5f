"""Writes on the catalog."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from apps.catalog.barcodes import barcode_problem
from apps.catalog.models import Category, Product, Supplier, Variant
from apps.core.errors import DomainError


class CatalogError(DomainError):
    """A mistake about the catalog (taken SKU, bad barcode, category loop…)."""


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


def supplier_create(
    *,
    name: str,
    email: str = "",
    phone: str = "",
    contact_name: str = "",
    currency: str = "USD",
    payment_terms_days: int = 30,
    default_lead_time_days: int = 14,
    address: str = "",
) -> Supplier:
    name = (name or "").strip()
    if not name:
        raise CatalogError("Enter the supplier's name.", field="name")
    if Supplier.objects.filter(name__iexact=name).exists():
        raise CatalogError(f"There is already a supplier called {name}.", field="name")
    return Supplier.objects.create(
        name=name,
        email=email,
        phone=phone,
        contact_name=contact_name,
        currency=currency.upper(),
        payment_terms_days=payment_terms_days,
        default_lead_time_days=default_lead_time_days,
        address=address,
    )


def category_move(*, category: Category, parent: Category | None) -> Category:
    """Move a category (and its subtree) under another parent: one UPDATE of the paths."""
    from django.db.models import F, Value
    from django.db.models.functions import Concat, Substr

    if parent is not None and parent.path.startswith(category.path):
        raise CatalogError("A category can't move inside itself.", field="parent")
    if (
        Category.objects.filter(parent=parent, name__iexact=category.name)
        .exclude(pk=category.pk)
        .exists()
    ):
        raise CatalogError(
            f"There is already a category called {category.name} there.", field="parent"
        )
    old_path, old_depth = category.path, category.depth
    new_path = f"{parent.path if parent else '/'}{category.pk}/"
    shift = (parent.depth + 1 if parent else 0) - old_depth
    with transaction.atomic():
        Category.objects.filter(pk=category.pk).update(parent=parent)
        Category.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + shift,
        )
    category.refresh_from_db()
    return category
