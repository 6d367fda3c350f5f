"""What the stock on hand is worth now (moving average and FIFO), and per warehouse."""

from __future__ import annotations

from apps.dashboard.charts import dataset
from apps.dashboard.registry import Widget, register
from apps.inventory.valuation import stock_valuation, stock_valuation_totals


@register
class StockValue(Widget):
    key = "stock_value"
    title = "Stock value"
    icon = "cash-stack"
    size = "chart"
    template = "dashboard/widgets/stock_value.html"
    money = True
    has_chart = True
    chart_label = "Stock value by warehouse"
    position = 20
    query_budget = 2

    def data(self, ctx) -> dict:
        totals = stock_valuation_totals()
        warehouses = list(stock_valuation(group="warehouse", sort="-average_value"))
        return {"totals": totals, "warehouses": warehouses, "currency": ctx.currency}

    def chart(self, ctx, data: dict) -> dict:
        rows = data["warehouses"]
        return {
            "type": "bar",
            "labels": [r["location__warehouse__code"] for r in rows],
            "datasets": [
                dataset(f"Value ({data['currency']})", [r["average_value"] for r in rows])
            ],
            "money": True,
        }
