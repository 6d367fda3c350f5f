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

Every figure comes from three queries whatever the history's length.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Max, Min
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
    card = Scorecard(supplier_id=supplier_id)
    card.orders = (
        PurchaseOrder.objects.filter(supplier_id=supplier_id)
        .exclude(status__in=[PurchaseOrder.Status.CANCELLED, PurchaseOrder.Status.REJECTED])
        .count()
    )
    rows = list(_order_receipt_dates(supplier_id))
    if rows:
        card.lead_time = _stats([(_local(r["first"]) - r["order_date"]).days for r in rows])
    complete = [r for r in rows if r["status"] in COMPLETE]
    card.complete_orders = len(complete)
    on_time = 0
    for r in complete:
        if r["expected_date"] is None or _local(r["last"]) <= r["expected_date"]:
            on_time += 1
        else:
            card.late_orders.append(r["number"])
    card.on_time_rate = _pct(on_time, len(complete))

    complete_ids = {r["pk"] for r in complete}
    list_prices = dict(
        SupplierItem.objects.filter(supplier_id=supplier_id).values_list("variant_id", "cost")
    )
    ordered = accepted_complete = accepted = rejected = ZERO
    spend: dict[str, Decimal] = defaultdict(lambda: ZERO)
    paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
    listed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    seen_lines: set[int] = set()
    receipt_lines = ReceiptLine.objects.filter(receipt__order__supplier_id=supplier_id).values_list(
        "order_line_id",
        "order_line__order_id",
        "order_line__quantity",
        "order_line__unit_cost",
        "order_line__variant_id",
        "order_line__order__exchange_rate",
        "quantity",
        "rejected_quantity",
        "receipt__received_at",
    )
    for line_id, order_id, line_qty, cost, variant_id, rate, qty, rej, when in receipt_lines:
        accepted += qty
        rejected += rej
        if order_id in complete_ids:
            accepted_complete += qty
            if line_id not in seen_lines:
                ordered += line_qty
                seen_lines.add(line_id)
        month = _local(when).strftime("%Y-%m")
        spend[month] += (qty * cost * rate).quantize(Decimal("0.01"))
        if variant_id in list_prices and qty:
            paid[month] += qty * cost
            listed[month] += qty * list_prices[variant_id]
    # Lines of complete orders that never received anything still count as ordered.
    from apps.purchasing.models import PurchaseOrderLine

    ordered += sum(
        PurchaseOrderLine.objects.filter(order_id__in=complete_ids)
        .exclude(pk__in=seen_lines)
        .values_list("quantity", flat=True),
        ZERO,
    )
    card.fill_rate = _pct(accepted_complete, ordered)
    card.rejection_rate = _pct(rejected, accepted + rejected)
    card.spend_by_month = dict(sorted(spend.items()))
    card.price_variance_by_month = {
        month: ((paid[month] / listed[month] - 1) * 100).quantize(Decimal("0.1"))
        for month in sorted(paid)
        if listed[month]
    }
    return card
