"""Orders confirmed and not yet shipped: how many at each step, and the ones that have
waited longest — what to pick and pack first."""

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
    query_budget = 2

    def figures(self, ctx, model) -> dict:
        labels = dict(model._meta.get_field("status").choices)
        oldest = [
            {**o, "status_label": labels.get(o["status"], o["status"])}
            for o in sales_source.oldest_to_ship(model)
        ]
        return {**sales_source.orders_to_ship(model, ctx.today), "oldest": oldest}
