"""Vendor performance: how each supplier delivers, from purchase orders and their receipts.

Definitions (also in docs/purchasing.md):

- *actual lead time* of an order: days from its order date to its first receipt;
  average and sample standard deviation over the supplier's orders with a receipt.
- *on-time rate*: of the orders that are complete (received, or closed after a
  receipt), the share whose last receipt is on or before the expected date.
- *fill rate*: accepted quantity ÷ ordered quantity over complete orders.
- *rejection rate*: rejected ÷ (accepted + rejected) over all receipts.
- *price variance* per month: what was paid for received goods ÷ what the same
  quantities cost at the supplier's current list prices, minus one (in percent).
- *spend* per month: received quantity × unit cost × the order's exchange rate.

Every figure comes from a fixed number of queries whatever the history's length.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Max, Min, Sum
from django.utils import timezone

from apps.catalog.models import SupplierItem
from apps.purchasing.models import PurchaseOrder, ReceiptLine

ZERO = Decimal("0")
COMPLETE = (PurchaseOrder.Status.RECEIVED, PurchaseOrder.Status.CLOSED)


@dataclass
class LeadTimeStats:
    count: int
    average: Decimal
    deviation: Decimal


@dataclass
class Scorecard:
    supplier_id: int
    orders: int = 0
    complete_orders: int = 0
    on_time_rate: Decimal | None = None
    lead_time: LeadTimeStats | None = None
    fill_rate: Decimal | None = None
    rejection_rate: Decimal | None = None
    spend_by_month: dict[str, Decimal] = field(default_factory=dict)
    price_variance_by_month: dict[str, Decimal] = field(default_factory=dict)
    late_orders: list[str] = field(default_factory=list)


def _local(value) -> date:
    return timezone.localtime(value).date()


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else None


def _order_receipt_dates(supplier_id: int | None = None):
    """Per order with a receipt: supplier, order date, expected date, status, first and last receipt."""
    qs = PurchaseOrder.objects.filter(receipts__isnull=False)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    return (
        qs.order_by()
        .values("pk", "number", "supplier_id", "order_date", "expected_date", "status")
        .annotate(first=Min("receipts__received_at"), last=Max("receipts__received_at"))
    )


def lead_time_stats(supplier_id: int | None = None) -> dict[int, LeadTimeStats]:
    days: dict[int, list[int]] = defaultdict(list)
    for row in _order_receipt_dates(supplier_id):
        days[row["supplier_id"]].append((_local(row["first"]) - row["order_date"]).days)
    return {sid: _stats(values) for sid, values in days.items()}


def _stats(values: list[int]) -> LeadTimeStats:
    average = Decimal(str(statistics.fmean(values))).quantize(Decimal("0.1"))
    deviation = (
        Decimal(str(statistics.stdev(values))).quantize(Decimal("0.1")) if len(values) > 1 else ZERO
    )
    return LeadTimeStats(count=len(values), average=average, deviation=deviation)


def supplier_scorecard(supplier_id: int) -> Scorecard:
    return scorecards([supplier_id])[supplier_id]


def scorecards(supplier_ids: list[int]) -> dict[int, Scorecard]:
    """Scorecards of several suppliers in a fixed number of queries (five)."""
    from django.db.models import Count

    from apps.purchasing.models import PurchaseOrderLine

    cards = {sid: Scorecard(supplier_id=sid) for sid in supplier_ids}
    counts = (
        PurchaseOrder.objects.filter(supplier_id__in=supplier_ids)
        .exclude(status__in=[PurchaseOrder.Status.CANCELLED, PurchaseOrder.Status.REJECTED])
        .order_by()
        .values_list("supplier_id")
        .annotate(n=Count("id"))
    )
    for sid, n in counts:
        cards[sid].orders = n
    rows_by_supplier: dict[int, list[dict]] = defaultdict(list)
    for row in (
        _order_receipt_dates().filter(supplier_id__in=supplier_ids).order_by("order_date", "pk")
    ):
        rows_by_supplier[row["supplier_id"]].append(row)
    complete_ids: set[int] = set()
    for sid, rows in rows_by_supplier.items():
        card = cards[sid]
        card.lead_time = _stats([(_local(r["first"]) - r["order_date"]).days for r in rows])
        complete = [r for r in rows if r["status"] in COMPLETE]
        card.complete_orders = len(complete)
        on_time = 0
        for r in complete:
            complete_ids.add(r["pk"])
            if r["expected_date"] is None or _local(r["last"]) <= r["expected_date"]:
                on_time += 1
            else:
                card.late_orders.append(r["number"])
        card.on_time_rate = _pct(on_time, len(complete))

    list_prices = {
        (sid, vid): cost
        for sid, vid, cost in SupplierItem.objects.filter(supplier_id__in=supplier_ids).values_list(
            "supplier_id", "variant_id", "cost"
        )
    }
    totals: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    spend: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    paid: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    listed: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    receipt_lines = ReceiptLine.objects.filter(
        receipt__order__supplier_id__in=supplier_ids
    ).values_list(
        "receipt__order__supplier_id",
        "order_line__order_id",
        "order_line__unit_cost",
        "order_line__variant_id",
        "order_line__order__exchange_rate",
        "quantity",
        "rejected_quantity",
        "receipt__received_at",
    )
    for sid, order_id, cost, variant_id, rate, qty, rej, when in receipt_lines:
        t = totals[sid]
        t["accepted"] += qty
        t["rejected"] += rej
        if order_id in complete_ids:
            t["accepted_complete"] += qty
        month = _local(when).strftime("%Y-%m")
        spend[sid][month] += (qty * cost * rate).quantize(Decimal("0.01"))
        if (sid, variant_id) in list_prices and qty:
            paid[sid][month] += qty * cost
            listed[sid][month] += qty * list_prices[(sid, variant_id)]
    ordered = (
        PurchaseOrderLine.objects.filter(order_id__in=complete_ids)
        .order_by()
        .values_list("order__supplier_id")
        .annotate(total=Sum("quantity"))
    )
    for sid, total in ordered:
        totals[sid]["ordered"] = total
    for sid, card in cards.items():
        t = totals[sid]
        card.fill_rate = _pct(t["accepted_complete"], t["ordered"])
        card.rejection_rate = _pct(t["rejected"], t["accepted"] + t["rejected"])
        card.spend_by_month = dict(sorted(spend[sid].items()))
        card.price_variance_by_month = {
            month: ((paid[sid][month] / listed[sid][month] - 1) * 100).quantize(Decimal("0.1"))
            for month in sorted(paid[sid])
            if listed[sid][month]
        }
    return cards
