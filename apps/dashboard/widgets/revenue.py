"""Revenue today against yesterday, and this month so far against the same days of
last month (a fair comparison on the 5th as on the 28th)."""

from __future__ import annotations

import datetime as dt

from apps.dashboard import sales_source
from apps.dashboard.registry import register
from apps.dashboard.widgets._sales import SalesWidget


def same_days_last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    start = last_month_end.replace(day=1)
    return start, min(start.replace(day=1) + dt.timedelta(days=today.day - 1), last_month_end)


@register
class Revenue(SalesWidget):
    key = "revenue"
    title = "Revenue"
    icon = "graph-up-arrow"
    template = "dashboard/widgets/revenue.html"
    money = True
    position = 1
    query_budget = 4

    def figures(self, ctx, model) -> dict:
        today = ctx.today
        last_start, last_end = same_days_last_month(today)
        yesterday = today - dt.timedelta(days=1)
        return {
            "today": sales_source.revenue_between(model, today, today),
            "yesterday": sales_source.revenue_between(model, yesterday, yesterday),
            "month": sales_source.revenue_between(model, today.replace(day=1), today),
            "last_month": sales_source.revenue_between(model, last_start, last_end),
            "currency": ctx.currency,
        }
