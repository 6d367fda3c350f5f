"""Sales orders dated in the chosen range, per status."""

from __future__ import annotations

from apps.dashboard import sales_source
from apps.dashboard.charts import dataset
from apps.dashboard.registry import register
from apps.dashboard.widgets._sales import SalesWidget


@register
class OrdersByStatus(SalesWidget):
    key = "orders_by_status"
    title = "Orders by status"
    icon = "list-check"
    size = "chart"
    template = "dashboard/widgets/orders_by_status.html"
    uses_range = True
    has_chart = True
    chart_label = "Number of orders per status"
    position = 85
    query_budget = 1

    def figures(self, ctx, model) -> dict:
        return {"rows": sales_source.orders_by_status(model, ctx.date_from, ctx.date_to)}

    def sales_chart(self, ctx, data: dict) -> dict:
        rows = data["rows"]
        return {
            "type": "bar",
            "labels": [r["label"] for r in rows],
            "datasets": [dataset("Orders", [r["count"] for r in rows])],
            "money": False,
        }
