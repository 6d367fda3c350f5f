"""Order lines waiting for stock that has not arrived yet."""

from __future__ import annotations

from apps.dashboard import sales_source
from apps.dashboard.registry import register
from apps.dashboard.widgets._sales import SalesWidget


@register
class Backorders(SalesWidget):
    key = "backorders"
    title = "Backorders"
    icon = "hourglass-split"
    template = "dashboard/widgets/backorders.html"
    position = 3
    query_budget = 1

    def figures(self, ctx, model) -> dict:
        return sales_source.backorders(model)
