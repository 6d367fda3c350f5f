"""Stock counts still open: what there is to count, and how far each count has got."""

from __future__ import annotations

from django.db.models import Count, Q

from apps.accounts.models import Role
from apps.dashboard.registry import Widget, register
from apps.inventory.models import StockCount

LIST_LENGTH = 5


@register
class CountsOpen(Widget):
    key = "counts_open"
    title = "Counts to finish"
    icon = "clipboard-check"
    template = "dashboard/widgets/counts_open.html"
    roles = frozenset({Role.OWNER, Role.MANAGER, Role.CLERK})
    position = 45
    query_budget = 2

    def data(self, ctx) -> dict:
        open_counts = StockCount.objects.filter(status=StockCount.Status.OPEN)
        counts = list(
            open_counts.select_related("warehouse")
            .annotate(
                line_count=Count("lines"),
                counted=Count("lines", filter=Q(lines__counted_quantity__isnull=False)),
            )
            .order_by("created_at", "pk")[:LIST_LENGTH]
        )
        return {"count": open_counts.count(), "counts": counts}
