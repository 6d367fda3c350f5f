"""Reads of purchasing that views, jobs and (later) the API share. Lists are a fixed
number of queries whatever their length.

``expected_daily_demand`` is the one place replenishment asks how much will sell;
the forecasting issue replaces its body with stored forecasts, same signature.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from apps.purchasing.models import PurchaseOrder, PurchaseOrderEvent

ZERO = Decimal("0")
DEMAND_WINDOW_DAYS = 90

ORDER_SORTS = {
    "number": "number",
    "supplier": "supplier__name",
    "warehouse": "warehouse__code",
    "status": "status",
    "total": "total",
    "ordered": "order_date",
    "expected": "expected_date",
}


def purchase_orders(
    *,
    search: str = "",
    status: str = "",
    supplier_id: int | None = None,
    warehouse_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    sort: str = "-ordered",
    awaiting_ids: Iterable[int] | None = None,
) -> QuerySet[PurchaseOrder]:
    """Orders for the list page with supplier, warehouse and line count in one query."""
    qs = PurchaseOrder.objects.select_related("supplier", "warehouse").annotate(
        line_count=Count("lines")
    )
    if search:
        qs = qs.filter(
            Q(number__icontains=search)
            | Q(supplier__name__icontains=search)
            | Q(notes__icontains=search)
            | Q(lines__variant__sku__iexact=search)
            | Q(lines__supplier_sku__iexact=search)
        ).distinct()
    if status == "open":
        qs = qs.filter(status__in=PurchaseOrder.OPEN)
    elif status == "mine" and awaiting_ids is not None:
        qs = qs.filter(pk__in=list(awaiting_ids))
    elif status in PurchaseOrder.Status.values:
        qs = qs.filter(status=status)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if date_from:
        qs = qs.filter(order_date__gte=date_from)
    if date_to:
        qs = qs.filter(order_date__lte=date_to)
    descending = sort.startswith("-")
    field = ORDER_SORTS.get(sort.lstrip("-"), "order_date")
    return qs.order_by(("-" if descending else "") + field, "-id")


def status_counts() -> dict[str, int]:
    """How many orders are in each status (for the tabs), in one query."""
    counts = dict(PurchaseOrder.objects.order_by().values_list("status").annotate(n=Count("id")))
    counts["open"] = sum(counts.get(s, 0) for s in PurchaseOrder.OPEN)
    counts["all"] = sum(v for k, v in counts.items() if k != "open")
    return counts


def awaiting_my_approval(user) -> list[int]:
    """Ids of orders waiting for approval that this user may approve (one query)."""
    from apps.accounts.permissions import user_can
    from apps.purchasing.config import purchasing_settings
    from apps.purchasing.services import may_approve

    if not user_can(user, "purchasing.approve"):
        return []
    settings = purchasing_settings()
    waiting = PurchaseOrder.objects.filter(status=PurchaseOrder.Status.AWAITING_APPROVAL).only(
        "pk", "total", "exchange_rate"
    )
    return [order.pk for order in waiting if may_approve(user, order, settings)]


def purchase_order_detail(pk: int) -> PurchaseOrder:
    return PurchaseOrder.objects.select_related(
        "supplier", "warehouse", "created_by", "approved_by"
    ).get(pk=pk)


def timeline(order: PurchaseOrder) -> QuerySet[PurchaseOrderEvent]:
    return order.events.select_related("user").order_by("-created_at", "-id")


# --- demand: the seam forecasting replaces ------------------------------------------------


def expected_daily_demand(
    *, variant_ids: Iterable[int] | None = None, as_of: date | None = None
) -> dict[tuple[int, int], Decimal]:
    """Expected units sold a day per (variant, warehouse).

    Until forecasting exists: the average over the last 90 days of what was shipped
    (sales shipments, net of nothing else), i.e. shipped quantity / 90. One query.
    """
    from apps.inventory.models import StockMove

    end = as_of or timezone.localdate()
    start = end - timedelta(days=DEMAND_WINDOW_DAYS)
    moves = StockMove.objects.filter(
        kind=StockMove.Kind.SHIPMENT,
        quantity__lt=0,
        created_at__date__gt=start,
        created_at__date__lte=end,
    )
    if variant_ids is not None:
        moves = moves.filter(variant_id__in=list(variant_ids))
    rows = (
        moves.order_by()
        .values_list("variant_id", "location__warehouse_id")
        .annotate(shipped=Sum("quantity"))
    )
    return {
        (variant_id, warehouse_id): (-shipped / DEMAND_WINDOW_DAYS).quantize(Decimal("0.0001"))
        for variant_id, warehouse_id, shipped in rows
    }
