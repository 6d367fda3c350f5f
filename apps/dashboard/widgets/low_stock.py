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
    query_budget = 1

    def data(self, ctx) -> dict:
        # One run of the union, counted here: running it twice (COUNT, then the first
        # five) doubled the widget's time on a large catalog.
        rows = list(low_stock())
        return {"count": len(rows), "lowest": rows[:5]}
