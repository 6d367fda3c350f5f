"""The base of every sales widget: the empty state until ``apps.sales`` has orders."""

from __future__ import annotations

from apps.dashboard.registry import Widget
from apps.dashboard.sales_source import sales_order_model


class SalesWidget(Widget):
    empty_text = "No sales yet"
    # Shown by chart widgets when the app is there but nothing sold in the range.
    none_text = "No sales in this period"

    def data(self, ctx) -> dict:
        model = sales_order_model()
        if model is None:
            return {"empty": True, "empty_text": self.empty_text}
        return {"empty": False, "empty_text": self.none_text, **self.figures(ctx, model)}

    def figures(self, ctx, model) -> dict:
        raise NotImplementedError

    def chart(self, ctx, data: dict) -> dict:
        if data.get("empty"):
            return {"type": "bar", "labels": [], "datasets": [], "money": self.money}
        return self.sales_chart(ctx, data)

    def sales_chart(self, ctx, data: dict) -> dict:
        raise NotImplementedError
