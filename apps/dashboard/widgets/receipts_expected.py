"""What to receive: purchase orders still to arrive that are overdue, due today or due
later this week, with the quantity still outstanding. Quantities only, so clerks see it."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum
from django.db.models.functions import Coalesce

from apps.dashboard.registry import Widget, register
from apps.purchasing.models import PurchaseOrder
from apps.purchasing.receiving import RECEIVABLE
from apps.reports.dates import preset_range

LIST_LENGTH = 6
QTY = DecimalField(max_digits=14, decimal_places=3)


@register
class ReceiptsExpected(Widget):
    key = "receipts_expected"
    title = "To receive"
    icon = "box-arrow-in-down"
    size = "chart"
    template = "dashboard/widgets/receipts_expected.html"
    position = 40
    query_budget = 2

    def data(self, ctx) -> dict:
        today = ctx.today
        _, week_end = preset_range("this_week", today)
        due = PurchaseOrder.objects.filter(status__in=RECEIVABLE, expected_date__lte=week_end)
        counts = due.aggregate(
            overdue=Count("id", filter=Q(expected_date__lt=today)),
            today=Count("id", filter=Q(expected_date=today)),
            this_week=Count("id", filter=Q(expected_date__gt=today)),
        )
        outstanding = Coalesce(
            Sum(F("lines__quantity") - F("lines__received_quantity")),
            Decimal("0"),
            output_field=QTY,
        )
        orders = list(
            due.filter(expected_date__lte=today)
            .order_by("expected_date", "number")
            .values("pk", "number", "expected_date", "supplier__name", "warehouse__code")
            .annotate(outstanding=outstanding)[:LIST_LENGTH]
        )
        return {**counts, "orders": orders, "today_date": today, "week_end": week_end}
