"""Option values (size, colour …) of a product and the variant matrix generated from them:
Size × Colour → one variant per combination, skipping combinations that already exist."""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.catalog.errors import CatalogError
from apps.catalog.models import Product, Variant

MAX_AXES = 3
MAX_VALUES = 50
MAX_MATRIX = 300


def _key(options: dict) -> tuple:
    return tuple(sorted((str(k).lower(), str(v).strip().lower()) for k, v in options.items()))


def product_options_set(*, product: Product, axes: list[dict]) -> Product:
    """Set the options variants of ``product`` differ by: [{"name", "values": [...]}, ...]."""
    cleaned: list[dict] = []
    seen_names: set[str] = set()
    for axis in axes:
        name = str(axis.get("name", "")).strip().lower()
        if not name:
            raise CatalogError("Each option needs a name, like size or colour.", field="axes")
        if name in seen_names:
            raise CatalogError(f"The option {name} is listed twice.", field="axes")
        seen_names.add(name)
        values: list[str] = []
        for value in axis.get("values", []):
            value = str(value).strip()
            if value and value.lower() not in {v.lower() for v in values}:
                values.append(value[:60])
        if not values:
            raise CatalogError(f"The option {name} needs at least one value.", field="axes")
        if len(values) > MAX_VALUES:
            raise CatalogError(
                f"The option {name} has more than {MAX_VALUES} values.", field="axes"
            )
        cleaned.append({"name": name, "values": values})
    if len(cleaned) > MAX_AXES:
        raise CatalogError(f"A product has at most {MAX_AXES} options.", field="axes")
    combinations = 1
    for axis in cleaned:
        combinations *= len(axis["values"])
    if cleaned and combinations > MAX_MATRIX:
        raise CatalogError(
            f"These options make {combinations} variants; the limit is {MAX_MATRIX}.",
            field="axes",
        )
    Product.objects.filter(pk=product.pk).update(option_axes=cleaned, updated_at=timezone.now())
    product.refresh_from_db()
    return product


def variant_matrix(product: Product) -> list[dict]:
    """Every combination of the product's option values, in order, as options dicts."""
    axes = product.option_axes or []
    if not axes:
        return []
    names = [a["name"] for a in axes]
    return [
        dict(zip(names, combo, strict=True))
        for combo in itertools.product(*(a["values"] for a in axes))
    ]


def variant_matrix_missing(product: Product) -> list[dict]:
    existing = {_key(v.options) for v in product.variants.all()}
    return [combo for combo in variant_matrix(product) if _key(combo) not in existing]


def variant_matrix_generate(
    *, product: Product, cost_price: Decimal = Decimal(0), sale_price: Decimal = Decimal(0)
) -> list[Variant]:
    """Create the variants of every combination the product does not have yet (SKUs from the
    company's pattern). All or nothing."""
    from apps.catalog.services import variant_create

    with transaction.atomic():
        # One generator at a time per product, so two clicks don't create a combo twice.
        product = Product.objects.select_for_update().get(pk=product.pk)
        missing = variant_matrix_missing(product)
        if not product.option_axes:
            raise CatalogError("Set the product's options first (for example size and colour).")
        return [
            variant_create(
                product=product, options=combo, cost_price=cost_price, sale_price=sale_price
            )
            for combo in missing
        ]
