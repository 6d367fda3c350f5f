"""The best-selling variants in the chosen range, by quantity (revenue for those who
see money)."""

from __future__ import annotations

from apps.dashboard import sales_source
from apps.dashboard.charts import dataset
from apps.dashboard.registry import register
from apps.dashboard.widgets._sales import SalesWidget


@register
class TopProducts(SalesWidget):
    key = "top_products"
    title = "Top selling products"
    icon = "trophy"
    size = "chart"
    template = "dashboard/widgets/top_products.html"
    uses_range = True
    has_chart = True
    chart_label = "Quantity sold per variant"
    position = 75
    query_budget = 1

    def figures(self, ctx, model) -> dict:
        rows = sales_source.top_products(model, ctx.date_from, ctx.date_to)
        if not ctx.show_money:
            rows = [{k: v for k, v in r.items() if k != "revenue"} for r in rows]
        return {"rows": rows, "currency": ctx.currency}

    def sales_chart(self, ctx, data: dict) -> dict:
        rows = data["rows"]
        return {
            "type": "bar",
            "indexAxis": "y",
            "labels": [r["variant__sku"] for r in rows],
            "datasets": [dataset("Quantity sold", [r["quantity"] for r in rows])],
            "money": False,
        }
