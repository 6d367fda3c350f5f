"""The variants that moved most in the chosen range: quantity in plus quantity out.
Transfers between warehouses are left out — they move goods without anything coming
in or going out of the company, and would count every unit twice."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, Q, Sum
from django.db.models.functions import Abs, Coalesce

from apps.catalog.models import Variant
from apps.dashboard.charts import dataset
from apps.dashboard.registry import Widget, register
from apps.inventory.models import StockMove

QTY = DecimalField(max_digits=14, decimal_places=3)
ZERO = Decimal("0")
TOP = 10
INTERNAL = (StockMove.Kind.TRANSFER_OUT, StockMove.Kind.TRANSFER_IN)


@register
class TopMoved(Widget):
    key = "top_moved"
    title = "Top moved products"
    icon = "bar-chart-line"
    size = "chart"
    template = "dashboard/widgets/top_moved.html"
    uses_range = True
    has_chart = True
    chart_label = "Quantity moved per variant"
    position = 60
    query_budget = 2

    def data(self, ctx) -> dict:
        # Grouped by the variant id alone, then the ten names fetched: joining every move
        # of the range to its variant and product before grouping was five times slower.
        rows = list(
            StockMove.objects.filter(created_at__gte=ctx.start, created_at__lt=ctx.end)
            .exclude(kind__in=INTERNAL)
            .order_by()
            .values("variant_id")
            .annotate(
                moved=Sum(Abs("quantity")),
                quantity_in=Coalesce(
                    Sum("quantity", filter=Q(quantity__gt=0)), ZERO, output_field=QTY
                ),
                quantity_out=Coalesce(
                    Sum(Abs("quantity"), filter=Q(quantity__lt=0)), ZERO, output_field=QTY
                ),
            )
            .order_by("-moved", "variant_id")[:TOP]
        )
        names = (
            {
                v["pk"]: v
                for v in Variant.objects.filter(pk__in=[r["variant_id"] for r in rows]).values(
                    "pk", "sku", "product__name"
                )
            }
            if rows
            else {}
        )
        for row in rows:
            row["variant__sku"] = names[row["variant_id"]]["sku"]
            row["variant__product__name"] = names[row["variant_id"]]["product__name"]
        return {"rows": rows}

    def chart(self, ctx, data: dict) -> dict:
        rows = data["rows"]
        return {
            "type": "bar",
            "indexAxis": "y",
            "labels": [r["variant__sku"] for r in rows],
            "datasets": [
                dataset("In", [r["quantity_in"] for r in rows]),
                dataset("Out", [r["quantity_out"] for r in rows]),
            ],
            "stacked": True,
            "money": False,
        }
