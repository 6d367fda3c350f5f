"""Demo catalog for a company, from fixtures/demo_companies.json.

Run inside the company's schema. Deterministic (seeded by the subdomain) so every
machine gets the same demo: suppliers with supplier items (a preferred one per
variant, a second quote for about a third of them), warehouses with a zone → aisle →
bin layout, products and their variant matrix. The stock history that follows is
``apps.core.demo_history``.
"""

from __future__ import annotations

import itertools
import random
import re
from decimal import Decimal

from django.db import transaction

from apps.catalog.models import Product, Supplier, SupplierItem, Variant
from apps.catalog.services import category_create
from apps.core.demo_history import DemoPlaces, stock_history_seed
from apps.inventory.models import Location
from apps.inventory.warehousing import location_create, warehouse_create


def _code(text: str, length: int = 4) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())[:length] or "X"


def seed_catalog(spec: dict, *, slug: str, weeks: int = 104) -> int:
    """Create suppliers, warehouses, bins, products and variants, opening stock and
    ``weeks`` of history, in one transaction. Returns the number of variants. Does
    nothing if the company already has products."""
    if Product.objects.exists():
        return 0
    rng = random.Random(slug)
    with transaction.atomic():
        suppliers = _suppliers(spec, rng)
        places = _warehouses(spec)
        variants = _variants(spec, rng)
        _supplier_items(variants, suppliers, rng)
        stock_history_seed(variants=variants, places=places, rng=rng, weeks=weeks, slug=slug)
    return len(variants)


def _suppliers(spec: dict, rng: random.Random) -> list[Supplier]:
    return [
        Supplier.objects.create(
            name=name,
            email=f"orders@{_code(name, 12).lower()}.example",
            default_lead_time_days=rng.choice([7, 10, 14, 21]),
            payment_terms_days=rng.choice([14, 30, 45, 60]),
        )
        for name in spec["suppliers"]
    ]


def _warehouses(spec: dict) -> DemoPlaces:
    """Each warehouse: zone STORE → aisles A and B → bins A-01, A-02, B-01, B-02."""
    bins: dict[int, list[Location]] = {}
    warehouses = []
    for code, name in spec["warehouses"]:
        warehouse = warehouse_create(code=code, name=name)
        warehouses.append(warehouse)
        zone = location_create(
            warehouse=warehouse, code="STORE", kind=Location.Kind.ZONE, name="Storage"
        )
        bins[warehouse.pk] = []
        for aisle_code in ("A", "B"):
            aisle = location_create(
                warehouse=warehouse,
                code=aisle_code,
                kind=Location.Kind.AISLE,
                parent=zone,
                name=f"Aisle {aisle_code}",
            )
            for shelf in (1, 2):
                bins[warehouse.pk].append(
                    location_create(
                        warehouse=warehouse, code=f"{aisle_code}-{shelf:02d}", parent=aisle
                    )
                )
    transit = {loc.warehouse_id: loc for loc in Location.objects.filter(kind=Location.Kind.TRANSIT)}
    return DemoPlaces(warehouses=warehouses, bins=bins, transit=transit)


def _variants(spec: dict, rng: random.Random) -> list[Variant]:
    variants: list[Variant] = []
    for category_name, cat in spec["categories"].items():
        category = category_create(name=category_name)
        low, high = cat["cost"]
        axes = list(cat["options"].items())
        for product_name in cat["products"]:
            product = Product.objects.create(
                name=product_name, category=category, brand=spec["suppliers"][0].split()[0]
            )
            base_cost = Decimal(rng.uniform(low, high)).quantize(Decimal("0.01"))
            combos = itertools.product(*[values for _, values in axes]) if axes else [()]
            for combo in combos:
                options = {name: value for (name, _), value in zip(axes, combo, strict=True)}
                sku = "-".join(
                    [
                        _code(category_name, 3),
                        _code(product_name, 6),
                        *[_code(v, 4) for v in combo],
                        f"{len(variants) + 1:04d}",
                    ]
                )
                cost = (base_cost * Decimal(rng.uniform(0.9, 1.3))).quantize(Decimal("0.01"))
                variants.append(
                    Variant(
                        product=product,
                        sku=sku,
                        options=options,
                        cost_price=cost,
                        sale_price=(cost * Decimal("1.8")).quantize(Decimal("0.01")),
                        reorder_point=Decimal(rng.choice([5, 10, 15, 20])),
                        reorder_quantity=Decimal(rng.choice([20, 30, 50])),
                    )
                )
    return Variant.objects.bulk_create(variants)


def _supplier_items(variants: list[Variant], suppliers: list[Supplier], rng) -> None:
    """A preferred supplier per variant; about a third also get a dearer second quote."""
    items = []
    for i, v in enumerate(variants):
        preferred = suppliers[i % len(suppliers)]
        items.append(
            SupplierItem(
                supplier=preferred,
                variant=v,
                supplier_sku=f"S{i + 1:05d}",
                cost=v.cost_price,
                minimum_order_quantity=Decimal(rng.choice([1, 5, 10])),
                pack_size=Decimal(rng.choice([1, 1, 1, 5])),
                is_preferred=True,
            )
        )
        if rng.random() < 0.33 and len(suppliers) > 1:
            other = suppliers[(i + 1) % len(suppliers)]
            items.append(
                SupplierItem(
                    supplier=other,
                    variant=v,
                    supplier_sku=f"{_code(other.name, 3)}-{i + 1:05d}",
                    cost=(v.cost_price * Decimal(rng.uniform(1.02, 1.15))).quantize(
                        Decimal("0.01")
                    ),
                    minimum_order_quantity=Decimal(rng.choice([10, 20, 50])),
                    lead_time_days=rng.choice([5, 7, 30]),
                    is_preferred=False,
                )
            )
    SupplierItem.objects.bulk_create(items)
