"""Revenue per month over the twelve months that end with the chosen range. The
forecast and its band join this chart when apps.forecasting stores them."""

from __future__ import annotations

from apps.dashboard import sales_source
from apps.dashboard.charts import dataset
from apps.dashboard.registry import register
from apps.dashboard.widgets._sales import SalesWidget


@register
class RevenueByMonth(SalesWidget):
    key = "revenue_by_month"
    title = "Revenue by month"
    icon = "graph-up"
    size = "chart"
    template = "dashboard/widgets/revenue_by_month.html"
    money = True
    uses_range = True
    has_chart = True
    chart_label = "Revenue per month"
    position = 70
    query_budget = 1

    def figures(self, ctx, model) -> dict:
        end = ctx.date_to
        start = end.replace(year=end.year - 1, day=1)
        if start.month == 12:
            start = start.replace(year=start.year + 1, month=1)
        else:
            start = start.replace(month=start.month + 1)
        months = sales_source.revenue_by_month(model, start, end)
        return {"months": months, "currency": ctx.currency}

    def sales_chart(self, ctx, data: dict) -> dict:
        rows = data["months"]
        return {
            "type": "line",
            "labels": [r["month"].strftime("%Y-%m") for r in rows],
            "datasets": [dataset(f"Revenue ({data['currency']})", [r["revenue"] for r in rows])],
            "money": True,
        }
