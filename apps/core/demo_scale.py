"""A large company for benchmarks: ``seed_demo --scale N [--moves M] [--tenant slug]``.

The catalog (products of five sizes each, suppliers, two warehouses with bins) is
made with ``bulk_create``. The ledger is the fast path: rows are generated inside
PostgreSQL (``INSERT … SELECT generate_series``) — a million take seconds, where the
ledger service would take hours — and in the same transaction every balance, moving
average and FIFO layer they affect is recomputed from the ledger, so the invariants
the service keeps hold afterwards and ``stock_check`` finds no difference.

Row ``j`` of the generated ledger is a function of ``j`` alone: variant ``j mod N``
(ordered by id); the first row of each variant is its opening balance of 500, then
receipts of 10 and shipments of 1–4 (so no balance ever dips below zero), spread
over the last two years in ``j`` order. Running it again only adds what is missing
(variants up to N, ledger rows up to M), so it is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.catalog.models import Category, Product, Supplier, SupplierItem, Variant
from apps.catalog.services import category_create
from apps.inventory.models import Location, StockLevel, StockMove, Warehouse
from apps.inventory.warehousing import location_create, warehouse_create

SIZES = ("XS", "S", "M", "L", "XL")
CATEGORIES = ("Tools", "Garden", "Kitchen", "Office", "Outdoor", "Lighting", "Storage", "Toys")
ADJECTIVES = ("Compact", "Heavy", "Classic", "Smart", "Rugged", "Slim", "Bright", "Eco", "Pro")
NOUNS = ("Widget", "Bracket", "Lamp", "Crate", "Kettle", "Hammer", "Planter", "Shelf", "Torch")
OPENING = 500
SPAN_DAYS = 730
PASSWORD = "demo123"


@dataclass(frozen=True)
class ScaleResult:
    slug: str
    variants: int
    levels: int
    moves: int


def scale_tenant_seed(*, slug: str = "scale", variants: int, moves: int = 0) -> ScaleResult:
    """Make (or grow) company ``slug`` to ``variants`` variants and at least
    ``max(moves, variants)`` ledger rows (one opening balance per variant at least)."""
    tenant = _tenant(slug)
    with schema_context(tenant.schema_name):
        with transaction.atomic():
            bins = _places()
            _catalog(variants)
        with transaction.atomic():
            _ledger(max(moves, variants), bins)
        return ScaleResult(
            slug=slug,
            variants=Variant.objects.count(),
            levels=StockLevel.objects.count(),
            moves=StockMove.objects.count(),
        )


def _tenant(slug: str):
    from apps.tenants.models import Tenant
    from apps.tenants.services.provisioning import tenant_provision

    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        tenant = tenant_provision(
            name=f"Scale {slug}",
            subdomain=slug,
            owner_email=f"owner@{slug}.com",
            owner_password=None,
        )
        with schema_context(tenant.schema_name):
            owner = User.objects.get(email=f"owner@{slug}.com")
            owner.set_password(PASSWORD)  # the demo password, as for the demo companies
            owner.save(update_fields=["password"])
    return tenant


def _places() -> list[int]:
    """Two warehouses with eight bins each; returns the bin ids."""
    for code, name in (("MAIN", "Main warehouse"), ("WEST", "West depot")):
        warehouse = Warehouse.objects.filter(code=code).first() or warehouse_create(
            code=code, name=name
        )
        for n in range(1, 9):
            if not Location.objects.filter(warehouse=warehouse, code=f"BIN-{n:02d}").exists():
                location_create(warehouse=warehouse, code=f"BIN-{n:02d}")
    return list(
        Location.objects.filter(kind=Location.Kind.BIN, code__startswith="BIN-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _catalog(target: int) -> None:
    existing = Variant.objects.count()
    if existing >= target:
        return
    categories = [
        Category.objects.filter(name=name, parent=None).first() or category_create(name=name)
        for name in CATEGORIES
    ]
    suppliers = [Supplier.objects.get_or_create(name=f"Scale Supplier {n}")[0] for n in range(1, 6)]
    first_product = existing // len(SIZES)
    last_product = (target - 1) // len(SIZES)
    products = Product.objects.bulk_create(
        [
            Product(
                name=f"{ADJECTIVES[p % len(ADJECTIVES)]} {NOUNS[p // len(ADJECTIVES) % len(NOUNS)]} {p:06d}",
                category=categories[p % len(categories)],
                brand=f"Brand {p % 40}",
            )
            for p in range(first_product + (existing % len(SIZES) > 0), last_product + 1)
        ],
        batch_size=5000,
    )
    by_number = {int(p.name.rsplit(" ", 1)[1]): p.pk for p in products}
    if existing % len(SIZES):  # the last product so far is not full yet
        last = Product.objects.order_by("-pk").first()
        by_number[first_product] = last.pk
    rows = []
    for n in range(existing, target):
        cost = Decimal(5 + (n * 37) % 200) + Decimal("0.99")
        rows.append(
            Variant(
                product_id=by_number[n // len(SIZES)],
                sku=f"SC-{n // len(SIZES):06d}-{SIZES[n % len(SIZES)]}",
                options={"size": SIZES[n % len(SIZES)]},
                cost_price=cost,
                sale_price=(cost * Decimal("1.6")).quantize(Decimal("0.01")),
                reorder_point=Decimal(10 + n % 20),
                reorder_quantity=Decimal(50),
            )
        )
    made = Variant.objects.bulk_create(rows, batch_size=5000)
    SupplierItem.objects.bulk_create(
        [
            SupplierItem(
                supplier=suppliers[v.pk % len(suppliers)],
                variant=v,
                supplier_sku=f"SUP-{v.sku}",
                cost=v.cost_price,
                is_preferred=True,
            )
            for v in made
        ],
        batch_size=5000,
    )


_OPENINGS_SQL = """
WITH v AS (
    SELECT id, cost_price, (row_number() OVER (ORDER BY id) - 1) AS k FROM catalog_variant
)
INSERT INTO inventory_stockmove
    (variant_id, location_id, quantity, unit_cost, kind, reason, note,
     reference_type, reference_id, created_at)
SELECT v.id, (%(bins)s::bigint[])[1 + v.k %% cardinality(%(bins)s::bigint[])], %(opening)s,
       v.cost_price, 'opening', '', 'Scale data: opening balance', 'scale', 'opening',
       now() - make_interval(secs => %(span)s)
  FROM v
 WHERE NOT EXISTS (
       SELECT 1 FROM inventory_stockmove m
        WHERE m.variant_id = v.id AND m.reference_type = 'scale' AND m.kind = 'opening')
"""

# History row h: variant h mod N at its opening bin; every third row of a variant a
# receipt of 10, otherwise a shipment of 1-4; time grows with h up to now.
_HISTORY_SQL = """
WITH v AS (
    SELECT id, cost_price, (row_number() OVER (ORDER BY id) - 1) AS k FROM catalog_variant
)
INSERT INTO inventory_stockmove
    (variant_id, location_id, quantity, unit_cost, kind, reason, note,
     reference_type, reference_id, created_at)
SELECT v.id,
       (%(bins)s::bigint[])[1 + v.k %% cardinality(%(bins)s::bigint[])],
       CASE WHEN (h / %(n)s) %% 3 = 2 THEN 10 ELSE -(1 + h %% 4) END,
       v.cost_price,
       CASE WHEN (h / %(n)s) %% 3 = 2 THEN 'receipt' ELSE 'shipment' END,
       '', 'Scale data', 'scale', h::text,
       now() - make_interval(secs => %(span)s * (1 - (h + 1)::float8 / %(last)s))
  FROM generate_series(%(first)s, %(last)s - 1) AS h
  JOIN v ON v.k = h %% %(n)s
"""

# Balances, moving averages and FIFO layers of every variant, recomputed from the ledger.
_BALANCES_SQL = [
    """
    INSERT INTO inventory_stocklevel (variant_id, location_id, on_hand, reserved, updated_at)
    SELECT variant_id, location_id, sum(quantity), 0, now()
      FROM inventory_stockmove GROUP BY variant_id, location_id
    ON CONFLICT (variant_id, location_id) DO UPDATE
       SET on_hand = EXCLUDED.on_hand, updated_at = now()
     WHERE inventory_stocklevel.on_hand <> EXCLUDED.on_hand
    """,
    """
    INSERT INTO inventory_variantcost (variant_id, quantity, average_cost)
    SELECT m.variant_id, sum(m.quantity), max(v.cost_price)
      FROM inventory_stockmove m JOIN catalog_variant v ON v.id = m.variant_id
     GROUP BY m.variant_id
    ON CONFLICT (variant_id) DO UPDATE SET quantity = EXCLUDED.quantity
    """,
    # A FIFO layer for every inbound move; what is on hand sits in the newest layers
    # (FIFO consumed the oldest first).
    """
    INSERT INTO inventory_costlayer (variant_id, move_id, unit_cost, quantity, remaining, created_at)
    SELECT m.variant_id, m.id, m.unit_cost, m.quantity, 0, m.created_at
      FROM inventory_stockmove m
     WHERE m.reference_type = 'scale' AND m.quantity > 0
    ON CONFLICT (move_id) DO NOTHING
    """,
    """
    UPDATE inventory_costlayer c SET remaining = x.remaining
      FROM (
        SELECT c.id,
               least(c.quantity, greatest(0, vc.quantity - (
                   sum(c.quantity) OVER (PARTITION BY c.variant_id
                                         ORDER BY c.created_at DESC, c.id DESC)
                   - c.quantity))) AS remaining
          FROM inventory_costlayer c JOIN inventory_variantcost vc USING (variant_id)
      ) x
     WHERE x.id = c.id AND c.remaining <> x.remaining
    """,
]


def _ledger(total: int, bins: list[int]) -> None:
    """Openings for variants without one, then history rows until the generated ledger
    has ``total`` rows; then every balance, average and layer from the ledger."""
    n = Variant.objects.count()
    params = {"bins": bins, "n": n, "opening": OPENING, "span": SPAN_DAYS * 86400}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(_OPENINGS_SQL, params)
        generated = StockMove.objects.filter(reference_type="scale")
        history = generated.exclude(kind=StockMove.Kind.OPENING).count()
        wanted = history + max(0, total - generated.count())
        if wanted > history:
            cursor.execute(_HISTORY_SQL, {**params, "first": history, "last": wanted})
        for sql in _BALANCES_SQL:
            cursor.execute(sql)
        # Fresh statistics, or the planner guesses from an empty catalog and ledger.
        for table in (
            "catalog_product",
            "catalog_variant",
            "catalog_supplieritem",
            "inventory_stockmove",
            "inventory_stocklevel",
            "inventory_costlayer",
        ):
            cursor.execute(f"ANALYZE {table}")
