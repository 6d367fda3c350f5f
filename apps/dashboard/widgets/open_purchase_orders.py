"""Purchase orders not yet received or closed: how many, how many await approval and,
for those who see money, what they are worth in the company's currency."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum

from apps.dashboard.registry import Widget, register
from apps.purchasing.models import PurchaseOrder

Status = PurchaseOrder.Status


@register
class OpenPurchaseOrders(Widget):
    key = "open_purchase_orders"
    title = "Open purchase orders"
    icon = "truck"
    template = "dashboard/widgets/open_purchase_orders.html"
    position = 30
    query_budget = 1

    def data(self, ctx) -> dict:
        figures = {
            "count": Count("id"),
            "awaiting_approval": Count("id", filter=Q(status=Status.AWAITING_APPROVAL)),
            "draft": Count("id", filter=Q(status=Status.DRAFT)),
        }
        if ctx.show_money:
            base_total = ExpressionWrapper(
                F("total") * F("exchange_rate"),
                output_field=DecimalField(max_digits=24, decimal_places=6),
            )
            figures["value"] = Sum(base_total)
        result = PurchaseOrder.objects.filter(status__in=PurchaseOrder.OPEN).aggregate(**figures)
        if ctx.show_money:
            result["value"] = (result["value"] or Decimal("0")).quantize(Decimal("0.01"))
            result["currency"] = ctx.currency
        return result
