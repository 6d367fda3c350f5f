"""Bulk actions on many products at once (from the product list's checkboxes). Each is one
transaction: all chosen products change, or none."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Round
from django.utils import timezone

from apps.catalog.errors import CatalogError
from apps.catalog.models import Category, Product, Variant

MAX_PERCENT = Decimal(1000)
MIN_PERCENT = Decimal(-99)
PRICE_FIELDS = {"sale_price": "selling price", "cost_price": "cost price"}


def _chosen(product_ids) -> list[int]:
    ids = sorted({int(i) for i in product_ids})
    if not ids:
        raise CatalogError("Choose at least one product.")
    return ids


def products_archive(*, product_ids, archived: bool = True) -> int:
    ids = _chosen(product_ids)
    return Product.objects.filter(pk__in=ids).update(
        is_active=not archived, updated_at=timezone.now()
    )


def products_category_set(*, product_ids, category: Category | None) -> int:
    ids = _chosen(product_ids)
    return Product.objects.filter(pk__in=ids).update(category=category, updated_at=timezone.now())


def prices_adjust_percent(*, product_ids, percent, field: str = "sale_price") -> int:
    """Raise (or lower, with a negative percent) every variant's price of the chosen products:
    new = round(old × (1 + percent/100), 2) — rounded to cents, half away from zero, in one
    UPDATE. Returns how many variants changed."""
    ids = _chosen(product_ids)
    if field not in PRICE_FIELDS:
        raise CatalogError("Choose the selling price or the cost price.", field="field")
    try:
        percent = Decimal(str(percent).strip().replace("%", ""))
    except ArithmeticError as exc:
        raise CatalogError("Enter the change as a number, like 5 or -10.", field="percent") from exc
    if not percent.is_finite() or not MIN_PERCENT <= percent <= MAX_PERCENT:
        raise CatalogError(
            f"The change must be between {MIN_PERCENT}% and {MAX_PERCENT}%.", field="percent"
        )
    if percent == 0:
        raise CatalogError("A change of 0% changes nothing.", field="percent")
    factor = (Decimal(100) + percent) / Decimal(100)
    with transaction.atomic():
        changed = Variant.objects.filter(product_id__in=ids).update(
            **{field: Round(F(field) * factor, 2)}
        )
        Product.objects.filter(pk__in=ids).update(updated_at=timezone.now())
    return changed
