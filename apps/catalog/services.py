"""Writes on products and variants. Categories, suppliers, images, option matrices and bulk
actions have their own modules; their functions are re-exported here so callers have one
place to import catalog writes from."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.catalog.barcodes import barcode_problem
from apps.catalog.errors import CatalogError
from apps.catalog.models import Category, Product, Variant
from apps.catalog.sku import sku_generate

__all__ = [
    "CatalogError",
    "product_create",
    "product_update",
    "product_archive",
    "product_unarchive",
    "variant_create",
    "variant_update",
]

ZERO = Decimal(0)
MAX_MONEY = Decimal("9999999999")  # fits max_digits=14 with 4 places
PRODUCT_FIELDS = ("name", "description", "category", "brand", "unit", "tags", "tax_class")
VARIANT_NUMBERS = {
    # field: (decimal places, label)
    "cost_price": (4, "Cost price"),
    "sale_price": (2, "Selling price"),
    "weight_kg": (3, "Weight"),
    "length_cm": (2, "Length"),
    "width_cm": (2, "Width"),
    "height_cm": (2, "Height"),
    "reorder_point": (3, "Reorder point"),
    "reorder_quantity": (3, "Reorder quantity"),
    "safety_stock": (3, "Safety stock"),
}
VARIANT_FIELDS = (
    "sku",
    "barcode",
    "options",
    *VARIANT_NUMBERS,
    "lead_time_days",
    "is_active",
)


# --- checks -------------------------------------------------------------------------


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise CatalogError("Enter the product's name.", field="name")
    if len(name) > 200:
        raise CatalogError("A product name has at most 200 characters.", field="name")
    return name


def _check_unit(unit: str) -> str:
    if unit not in Product.Unit.values:
        raise CatalogError(
            f"Unknown unit {unit!r}; use one of {', '.join(Product.Unit.values)}.", field="unit"
        )
    return unit


def _check_tags(tags) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned: list[str] = []
    for tag in tags:
        tag = str(tag).strip().lower()
        if not tag:
            continue
        if len(tag) > 40:
            raise CatalogError(f"The tag “{tag[:20]}…” is longer than 40 characters.", field="tags")
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > 30:
        raise CatalogError("A product has at most 30 tags.", field="tags")
    return cleaned


def _check_number(field: str, value, *, allow_none: bool) -> Decimal | None:
    places, label = VARIANT_NUMBERS[field]
    if value is None or value == "":
        if allow_none:
            return None
        return ZERO
    try:
        value = Decimal(str(value))
    except ArithmeticError as exc:
        raise CatalogError(f"{label} must be a number.", field=field) from exc
    if not value.is_finite():
        raise CatalogError(f"{label} must be a number.", field=field)
    if value < 0:
        raise CatalogError(f"{label} can't be negative.", field=field)
    if value > MAX_MONEY:
        raise CatalogError(f"{label} is too large.", field=field)
    return value.quantize(Decimal(1).scaleb(-places))


def _check_options(options) -> dict:
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise CatalogError("Options are name → value pairs, like size=M.", field="options")
    cleaned = {}
    for name, value in options.items():
        name, value = str(name).strip().lower(), str(value).strip()
        if not name or not value:
            raise CatalogError(
                "Each option needs a name and a value, like size=M.", field="options"
            )
        cleaned[name] = value
    return cleaned


def _check_sku(sku: str, *, exclude_pk: int | None) -> str:
    sku = (sku or "").strip().upper()
    if not sku:
        raise CatalogError("Enter a SKU.", field="sku")
    if len(sku) > 64:
        raise CatalogError("A SKU has at most 64 characters.", field="sku")
    if any(ch.isspace() for ch in sku):
        raise CatalogError("A SKU can't contain spaces.", field="sku")
    if Variant.objects.filter(sku__iexact=sku).exclude(pk=exclude_pk).exists():
        raise CatalogError(f"SKU {sku} is already used by another variant.", field="sku")
    return sku


def _check_barcode(barcode: str, *, exclude_pk: int | None) -> str:
    barcode = (barcode or "").strip()
    problem = barcode_problem(barcode)
    if problem:
        raise CatalogError(problem, field="barcode")
    if barcode and Variant.objects.filter(barcode=barcode).exclude(pk=exclude_pk).exists():
        raise CatalogError(
            f"Barcode {barcode} is already used by another variant.", field="barcode"
        )
    return barcode


def _taken(exc: IntegrityError) -> CatalogError:
    return CatalogError(
        "That SKU or barcode was just taken by someone else. Choose another.", field="sku"
    )


def _touch(product_id: int) -> None:
    """A variant change is a change of its product (its API representation and ETag)."""
    Product.objects.filter(pk=product_id).update(updated_at=timezone.now())


# --- products -----------------------------------------------------------------------


def product_create(
    *,
    name: str,
    category: Category | None = None,
    brand: str = "",
    unit: str = Product.Unit.EACH,
    description: str = "",
    tags: list[str] | None = None,
    tax_class: str = "standard",
    sku: str = "",
    barcode: str = "",
    cost_price: Decimal = ZERO,
    sale_price: Decimal = ZERO,
    options: dict | None = None,
) -> Product:
    """A product with its first variant (every product has at least one SKU). A blank SKU is
    generated from the company's pattern."""
    name = _check_name(name)
    unit = _check_unit(unit)
    tags = _check_tags(tags)
    options = _check_options(options)
    cost_price = _check_number("cost_price", cost_price, allow_none=False)
    sale_price = _check_number("sale_price", sale_price, allow_none=False)
    sku = _check_sku(sku, exclude_pk=None) if (sku or "").strip() else ""
    barcode = _check_barcode(barcode, exclude_pk=None)
    try:
        with transaction.atomic():
            if not sku:
                sku = sku_generate(
                    product_name=name, category=category, brand=brand, options=options
                )
            product = Product.objects.create(
                name=name,
                category=category,
                brand=(brand or "").strip(),
                unit=unit,
                description=description or "",
                tags=tags,
                tax_class=(tax_class or "standard").strip(),
            )
            Variant.objects.create(
                product=product,
                sku=sku,
                barcode=barcode,
                cost_price=cost_price,
                sale_price=sale_price,
                options=options,
            )
    except IntegrityError as exc:  # a concurrent request took the SKU or barcode
        raise _taken(exc) from exc
    return product


def product_update(*, product: Product, **changes) -> Product:
    """Change product-level fields (name, description, category, brand, unit, tags, tax
    class). Only the fields given change."""
    unknown = set(changes) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"product_update() got unexpected fields {sorted(unknown)}")
    values = dict(changes)
    if "name" in values:
        values["name"] = _check_name(values["name"])
    if "unit" in values:
        values["unit"] = _check_unit(values["unit"])
    if "tags" in values:
        values["tags"] = _check_tags(values["tags"])
    if "brand" in values:
        values["brand"] = (values["brand"] or "").strip()
    if "description" in values:
        values["description"] = values["description"] or ""
    if "tax_class" in values:
        values["tax_class"] = (values["tax_class"] or "").strip() or "standard"
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        for field, value in values.items():
            setattr(locked, field, value)
        locked.save()
    product.refresh_from_db()
    return product


def product_archive(*, product: Product) -> Product:
    """Hide a product from lists, pickers and reorder suggestions. Nothing is deleted: its
    stock history stays, and it can be brought back."""
    Product.objects.filter(pk=product.pk).update(is_active=False, updated_at=timezone.now())
    product.refresh_from_db()
    return product


def product_unarchive(*, product: Product) -> Product:
    Product.objects.filter(pk=product.pk).update(is_active=True, updated_at=timezone.now())
    product.refresh_from_db()
    return product


# --- variants -----------------------------------------------------------------------


def variant_create(
    *,
    product: Product,
    sku: str = "",
    barcode: str = "",
    options: dict | None = None,
    cost_price: Decimal = ZERO,
    sale_price: Decimal = ZERO,
    **extra,
) -> Variant:
    """A new SKU of ``product``; a blank SKU is generated from the company's pattern. ``extra``
    takes any other variant field (weight, reorder point …)."""
    unknown = set(extra) - set(VARIANT_FIELDS)
    if unknown:
        raise TypeError(f"variant_create() got unexpected fields {sorted(unknown)}")
    options = _check_options(options)
    values = {
        "cost_price": _check_number("cost_price", cost_price, allow_none=False),
        "sale_price": _check_number("sale_price", sale_price, allow_none=False),
        **_clean_variant_extras(extra),
    }
    sku = _check_sku(sku, exclude_pk=None) if (sku or "").strip() else ""
    barcode = _check_barcode(barcode, exclude_pk=None)
    try:
        with transaction.atomic():
            if not sku:
                sku = sku_generate(
                    product_name=product.name,
                    category=product.category,
                    brand=product.brand,
                    options=options,
                )
            variant = Variant.objects.create(
                product=product, sku=sku, barcode=barcode, options=options, **values
            )
            _touch(product.pk)
    except IntegrityError as exc:
        raise _taken(exc) from exc
    return variant


def _clean_variant_extras(values: dict) -> dict:
    cleaned = {}
    for field, value in values.items():
        if field in VARIANT_NUMBERS:
            nullable = field in {"weight_kg", "length_cm", "width_cm", "height_cm"}
            cleaned[field] = _check_number(field, value, allow_none=nullable)
        elif field == "lead_time_days":
            if value in (None, ""):
                cleaned[field] = None
            elif not isinstance(value, int) or not 0 <= value <= 3650:
                raise CatalogError(
                    "Lead time is a whole number of days (0–3650).", field="lead_time_days"
                )
            else:
                cleaned[field] = value
        elif field == "is_active":
            cleaned[field] = bool(value)
        elif field == "options":
            cleaned[field] = _check_options(value)
    return cleaned


def variant_update(*, variant: Variant, **changes) -> Variant:
    """Change a variant: SKU (stays unique), barcode (check digit), prices, dimensions,
    reorder settings. Only the fields given change."""
    unknown = set(changes) - set(VARIANT_FIELDS)
    if unknown:
        raise TypeError(f"variant_update() got unexpected fields {sorted(unknown)}")
    values = _clean_variant_extras(
        {k: v for k, v in changes.items() if k not in {"sku", "barcode"}}
    )
    if "sku" in changes:
        values["sku"] = _check_sku(changes["sku"], exclude_pk=variant.pk)
    if "barcode" in changes:
        values["barcode"] = _check_barcode(changes["barcode"], exclude_pk=variant.pk)
    try:
        with transaction.atomic():
            Variant.objects.filter(pk=variant.pk).update(**values)
            _touch(variant.product_id)
    except IntegrityError as exc:
        raise _taken(exc) from exc
    variant.refresh_from_db()
    return variant


# Re-exported: the rest of the catalog's writes.
from apps.catalog.categories import (  # noqa: E402
    category_create,
    category_delete,
    category_move,
    category_rename,
)
from apps.catalog.suppliers import (  # noqa: E402
    supplier_archive,
    supplier_create,
    supplier_item_create,
    supplier_item_delete,
    supplier_item_update,
    supplier_unarchive,
    supplier_update,
)

__all__ += [
    "category_create",
    "category_delete",
    "category_move",
    "category_rename",
    "supplier_archive",
    "supplier_create",
    "supplier_item_create",
    "supplier_item_delete",
    "supplier_item_update",
    "supplier_unarchive",
    "supplier_update",
]
