"""Orders confirmed and not yet shipped: what to pick and pack."""

from __future__ import annotations

from apps.dashboard import sales_source
from apps.dashboard.registry import register
from apps.dashboard.widgets._sales import SalesWidget


@register
class OrdersToShip(SalesWidget):
    key = "orders_to_ship"
    title = "Orders to ship"
    icon = "box-seam"
    template = "dashboard/widgets/orders_to_ship.html"
    position = 2
    query_budget = 1

    def figures(self, ctx, model) -> dict:
        return sales_source.orders_to_ship(model, ctx.today)
