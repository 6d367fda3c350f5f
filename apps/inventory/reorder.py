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
