"""Revenue per month over the twelve months that end with the chosen range, and — when the
range reaches today — the forecast for the months ahead with its 80 % band. The current
month's forecast is what has been sold so far plus what is forecast for its other days."""

from __future__ import annotations

from apps.dashboard import sales_source
from apps.dashboard.charts import number
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
    chart_label = "Revenue per month, with the forecast and its 80 % range"
    position = 70
    query_budget = 2

    def figures(self, ctx, model) -> dict:
        end = ctx.date_to
        start = end.replace(year=end.year - 1, day=1)
        if start.month == 12:
            start = start.replace(year=start.year + 1, month=1)
        else:
            start = start.replace(month=start.month + 1)
        months = {
            r["month"]: {"month": r["month"], "revenue": r["revenue"], "orders": r["orders"]}
            for r in sales_source.revenue_by_month(model, start, end)
        }
        if end >= ctx.today:
            this_month = ctx.today.replace(day=1)
            for row in sales_source.revenue_forecast_by_month(ctx.today):
                so_far = months.get(row["month"], {}).get("revenue") or 0
                offset = so_far if row["month"] == this_month else 0
                entry = months.setdefault(
                    row["month"], {"month": row["month"], "revenue": None, "orders": None}
                )
                entry["forecast"] = row["revenue"] + offset
                entry["low"], entry["high"] = row["low"] + offset, row["high"] + offset
        rows = [months[m] for m in sorted(months)]
        return {
            "months": rows,
            "has_forecast": any("forecast" in r for r in rows),
            "currency": ctx.currency,
        }

    def sales_chart(self, ctx, data: dict) -> dict:
        rows = data["months"]

        def series(field):
            return [None if r.get(field) is None else number(r[field]) for r in rows]

        datasets = [{"label": f"Revenue ({data['currency']})", "data": series("revenue")}]
        if data["has_forecast"]:
            datasets += [
                {"label": "Forecast", "data": series("forecast"), "dashed": True},
                {"label": "Forecast, 80 % range (low)", "data": series("low"), "band": "low"},
                {"label": "Forecast, 80 % range (high)", "data": series("high"), "band": "high"},
            ]
        return {
            "type": "line",
            "labels": [r["month"].strftime("%Y-%m") for r in rows],
            "datasets": datasets,
            "money": True,
        }
