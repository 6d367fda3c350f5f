"""Revenue today against yesterday, and this month so far against the same days of
last month (a fair comparison on the 5th as on the 28th)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.dashboard import sales_source
from apps.dashboard.registry import register
from apps.dashboard.widgets._sales import SalesWidget


def same_days_last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    start = last_month_end.replace(day=1)
    return start, min(start.replace(day=1) + dt.timedelta(days=today.day - 1), last_month_end)


def change(now: Decimal, before: Decimal) -> Decimal | None:
    """Percent change from ``before`` to ``now``; None when there was nothing before."""
    if not before:
        return None
    return ((now - before) / before * 100).quantize(Decimal("0.1"))


@register
class Revenue(SalesWidget):
    key = "revenue"
    title = "Revenue"
    icon = "graph-up-arrow"
    template = "dashboard/widgets/revenue.html"
    money = True
    position = 1
    query_budget = 1

    def figures(self, ctx, model) -> dict:
        today = ctx.today
        yesterday = today - dt.timedelta(days=1)
        periods = {
            "today": (today, today),
            "yesterday": (yesterday, yesterday),
            "month": (today.replace(day=1), today),
            "last_month": same_days_last_month(today),
        }
        figures = sales_source.revenue_periods(model, periods)
        return {
            **figures,
            "today_change": change(figures["today"], figures["yesterday"]),
            "month_change": change(figures["month"], figures["last_month"]),
            "currency": ctx.currency,
        }
