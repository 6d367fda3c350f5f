"""Demo catalog and stock history for a company, from fixtures/demo_companies.json.

Run inside the company's schema. Deterministic (seeded by the subdomain) so every
machine gets the same demo. Stock goes through the same ledger service as real
work: opening balances, then weekly receipts, sales and the odd adjustment,
backdated over the history period.
"""

from __future__ import annotations

import itertools
import random
import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from apps.catalog.models import Product, Supplier, SupplierItem, Variant
from apps.catalog.services import category_create
from apps.inventory.models import Location, StockLevel, StockMove
from apps.inventory.services import MoveLine, stock_moves_post
from apps.inventory.warehousing import location_create, warehouse_create

Kind = StockMove.Kind


def _code(text: str, length: int = 4) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())[:length] or "X"


def seed_catalog(spec: dict, *, slug: str, weeks: int = 104) -> int:
    """Create suppliers, warehouses, bins, products and variants, opening stock and
    ``weeks`` of history. Returns the number of variants. Does nothing if the
    company already has products."""
    if Product.objects.exists():
        return 0
    rng = random.Random(slug)
    suppliers = [
        Supplier.objects.create(
            name=name,
            email=f"orders@{_code(name, 12).lower()}.example",
            default_lead_time_days=rng.choice([7, 10, 14, 21]),
        )
        for name in spec["suppliers"]
    ]
    bins: list[Location] = []
    for code, name in spec["warehouses"]:
        warehouse = warehouse_create(code=code, name=name)
        for aisle in ("A", "B"):
            for shelf in (1, 2):
                bins.append(location_create(warehouse=warehouse, code=f"{aisle}-{shelf:02d}"))

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
    variants = Variant.objects.bulk_create(variants)
    SupplierItem.objects.bulk_create(
        [
            SupplierItem(
                supplier=suppliers[i % len(suppliers)],
                variant=v,
                supplier_sku=f"S{i + 1:05d}",
                cost=v.cost_price,
                minimum_order_quantity=Decimal(rng.choice([1, 5, 10])),
                is_preferred=True,
            )
            for i, v in enumerate(variants)
        ]
    )
    _history(variants, bins, rng, weeks)
    return len(variants)


def _history(variants: list[Variant], bins: list[Location], rng: random.Random, weeks: int) -> None:
    start = timezone.now() - timedelta(weeks=weeks)
    home = {v.pk: rng.choice(bins) for v in variants}
    demand = {v.pk: rng.uniform(0.5, 6) for v in variants}  # units a week, on average
    stock_moves_post(
        lines=[
            MoveLine(v.pk, home[v.pk].pk, Decimal(rng.randint(20, 60)), v.cost_price)
            for v in variants
        ],
        kind=Kind.OPENING,
        note="Opening balance",
        occurred_at=start,
    )
    on_hand = dict(
        StockLevel.objects.filter(variant__in=variants).values_list("variant_id", "on_hand")
    )
    for week in range(weeks):
        when = start + timedelta(weeks=week, days=1)
        season = 1 + 0.35 * (1 if (week % 52) in range(44, 52) else 0)  # a year-end peak
        sold = []
        for v in variants:
            quantity = min(int(rng.gauss(demand[v.pk] * season, 1.5)), int(on_hand[v.pk]))
            if quantity > 0:
                sold.append(MoveLine(v.pk, home[v.pk].pk, Decimal(-quantity)))
                on_hand[v.pk] -= quantity
        if sold:
            stock_moves_post(
                lines=sold,
                kind=Kind.SHIPMENT,
                note="Weekly sales",
                reference=("demo-week", week),
                occurred_at=when,
            )
        restock = [
            MoveLine(
                v.pk,
                home[v.pk].pk,
                v.reorder_quantity,
                (v.cost_price * Decimal(rng.uniform(0.95, 1.05))).quantize(Decimal("0.01")),
            )
            for v in variants
            if on_hand[v.pk] <= v.reorder_point
        ]
        if restock:
            stock_moves_post(
                lines=restock,
                kind=Kind.RECEIPT,
                note="Supplier delivery",
                reference=("demo-week", week),
                occurred_at=when + timedelta(days=3),
            )
            for line in restock:
                on_hand[line.variant_id] += line.quantity
        if week % 6 == 5:
            v = rng.choice([v for v in variants if on_hand[v.pk] > 0])
            stock_moves_post(
                lines=[MoveLine(v.pk, home[v.pk].pk, Decimal(-1))],
                kind=Kind.ADJUSTMENT,
                reason=rng.choice(["damaged", "lost"]),
                note="Found during a walk-through",
                occurred_at=when + timedelta(days=4),
            )
            on_hand[v.pk] -= 1
