"""Revenue per product category in the chosen range (a doughnut)."""

from __future__ import annotations

from apps.dashboard import sales_source
from apps.dashboard.charts import dataset
from apps.dashboard.registry import register
from apps.dashboard.widgets._sales import SalesWidget


@register
class SalesByCategory(SalesWidget):
    key = "sales_by_category"
    title = "Sales by category"
    icon = "pie-chart"
    size = "chart"
    template = "dashboard/widgets/sales_by_category.html"
    money = True
    uses_range = True
    has_chart = True
    chart_label = "Share of revenue per category"
    position = 80
    query_budget = 1

    def figures(self, ctx, model) -> dict:
        rows = sales_source.sales_by_category(model, ctx.date_from, ctx.date_to)
        return {"rows": rows, "currency": ctx.currency}

    def sales_chart(self, ctx, data: dict) -> dict:
        rows = data["rows"]
        return {
            "type": "doughnut",
            "labels": [r["category"] for r in rows],
            "datasets": [dataset(f"Revenue ({data['currency']})", [r["revenue"] for r in rows])],
            "money": True,
        }
