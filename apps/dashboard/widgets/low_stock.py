"""How many variants are at or below their reorder point, and the five lowest."""

from __future__ import annotations

from apps.dashboard.registry import Widget, register
from apps.inventory.selectors import low_stock


@register
class LowStock(Widget):
    key = "low_stock"
    title = "Low stock"
    icon = "exclamation-triangle"
    template = "dashboard/widgets/low_stock.html"
    position = 10
    query_budget = 2

    def data(self, ctx) -> dict:
        rows = low_stock()
        return {"count": rows.count(), "lowest": list(rows[:5])}
