"""Stock in and out per day over the chosen range, every kind of move included (an
internal transfer shows as out of one warehouse and into another)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Abs, Coalesce, TruncDate
from django.utils import timezone

from apps.dashboard.charts import dataset, days
from apps.dashboard.registry import Widget, register
from apps.inventory.models import StockMove

QTY = DecimalField(max_digits=14, decimal_places=3)
ZERO = Decimal("0")


@register
class StockMovements(Widget):
    key = "stock_movements"
    title = "Stock movements by day"
    icon = "arrow-left-right"
    size = "chart"
    template = "dashboard/widgets/stock_movements.html"
    uses_range = True
    has_chart = True
    chart_label = "Quantity in and out per day"
    position = 50
    query_budget = 1

    def data(self, ctx) -> dict:
        rows = (
            StockMove.objects.filter(created_at__gte=ctx.start, created_at__lt=ctx.end)
            .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
            .order_by()
            .values("day")
            .annotate(
                moves=Count("id"),
                quantity_in=Coalesce(
                    Sum("quantity", filter=Q(quantity__gt=0)), ZERO, output_field=QTY
                ),
                quantity_out=Coalesce(
                    Sum(Abs("quantity"), filter=Q(quantity__lt=0)), ZERO, output_field=QTY
                ),
            )
        )
        by_day = {r["day"]: r for r in rows}
        series = [
            by_day.get(day, {"day": day, "moves": 0, "quantity_in": ZERO, "quantity_out": ZERO})
            for day in days(ctx.date_from, ctx.date_to)
        ]
        return {
            "days": series,
            "active_days": [r for r in series if r["moves"]],
            "total_in": sum((r["quantity_in"] for r in series), ZERO),
            "total_out": sum((r["quantity_out"] for r in series), ZERO),
            "moves": sum(r["moves"] for r in series),
        }

    def chart(self, ctx, data: dict) -> dict:
        series = data["days"]
        return {
            "type": "bar",
            "labels": [r["day"].isoformat() for r in series],
            "datasets": [
                dataset("In", [r["quantity_in"] for r in series]),
                dataset("Out", [r["quantity_out"] for r in series]),
            ],
            "money": False,
        }
