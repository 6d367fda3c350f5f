"""Per-warehouse reorder rules: a warehouse's own reorder point, quantity and safety stock."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.cache import cache

from apps.inventory.models import ReorderRule, Warehouse
from apps.inventory.selectors import LOW_STOCK_CACHE_KEY
from apps.inventory.services import InventoryError

ZERO = Decimal("0")


def _quantity(value, label: str) -> Decimal:
    try:
        number = Decimal(str(value if value not in (None, "") else 0).strip())
    except (InvalidOperation, ValueError):
        raise InventoryError(f"The {label} “{value}” is not a number.") from None
    if not number.is_finite() or number < 0:
        raise InventoryError(f"The {label} cannot be negative.")
    if number.as_tuple().exponent < -3 or number >= Decimal("1e11"):
        raise InventoryError(f"The {label} has at most 3 decimals and 11 digits.")
    return number


def reorder_rule_set(
    *, variant, warehouse: Warehouse, reorder_point, reorder_quantity=0, safety_stock=0
) -> ReorderRule:
    """Create or change the rule of one variant in one warehouse."""
    values = {
        "reorder_point": _quantity(reorder_point, "reorder point"),
        "reorder_quantity": _quantity(reorder_quantity, "reorder quantity"),
        "safety_stock": _quantity(safety_stock, "safety stock"),
    }
    rule, _ = ReorderRule.objects.update_or_create(
        variant=variant, warehouse=warehouse, defaults=values
    )
    cache.delete(LOW_STOCK_CACHE_KEY)
    return rule


def reorder_rule_delete(*, rule: ReorderRule) -> None:
    """Back to the variant's own values for that warehouse."""
    rule.delete()
    cache.delete(LOW_STOCK_CACHE_KEY)


def reorder_rules_set_many(*, values: dict[tuple[int, int], tuple[Decimal, Decimal, Decimal]]):
    """Many rules at once (forecast-driven values, nightly): ``values`` maps (variant id,
    warehouse id) → (reorder point, reorder quantity, safety stock), all ≥ 0. One upsert
    whatever the number; rules whose values are the same are left alone. Returns how many
    rules were created or changed."""
    if not values:
        return 0
    from django.db import connection

    keys = list(values)
    table = connection.ops.quote_name(ReorderRule._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} AS r
                   (variant_id, warehouse_id, reorder_point, reorder_quantity, safety_stock,
                    updated_at)
            SELECT n.variant_id, n.warehouse_id, n.point, n.quantity, n.safety, now()
              FROM unnest(%s::bigint[], %s::bigint[], %s::numeric[], %s::numeric[],
                          %s::numeric[]) AS n(variant_id, warehouse_id, point, quantity, safety)
            ON CONFLICT (variant_id, warehouse_id) DO UPDATE
               SET reorder_point = EXCLUDED.reorder_point,
                   reorder_quantity = EXCLUDED.reorder_quantity,
                   safety_stock = EXCLUDED.safety_stock,
                   updated_at = EXCLUDED.updated_at
             WHERE (r.reorder_point, r.reorder_quantity, r.safety_stock) IS DISTINCT FROM
                   (EXCLUDED.reorder_point, EXCLUDED.reorder_quantity, EXCLUDED.safety_stock)
            """,
            [
                [v for v, _ in keys],
                [w for _, w in keys],
                *([max(values[k][i], ZERO) for k in keys] for i in range(3)),
            ],
        )
        changed = cursor.rowcount
    cache.delete(LOW_STOCK_CACHE_KEY)
    return changed
