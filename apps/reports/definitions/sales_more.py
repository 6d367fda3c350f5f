"""More sales and finance reports: sales by channel, order fulfilment, returns, gross margin
(by product and by category) and receivables aging.

Amounts are in the document's currency (rows are split by currency), as in the other sales
reports. Gross margin's cost is the shipment moves' ``unit_cost`` (what the ledger charged
when the goods left), in the company's currency.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django import forms
from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.reports.base import Column, Report
from apps.reports.dates import DateRangeForm
from apps.reports.definitions.sales import (
    CENT,
    GROUP,
    MONEY,
    ZERO,
    SalesForm,
    _average,
    _net,
    sales_orders,
)
from apps.reports.definitions.stock_analysis import sort_rows
from apps.reports.registry import register

FINANCE = "Purchasing and finance"
PROMISED_DAYS = 2  # an order is on time when it ships within this many days, unless chosen


def _percent(part, whole) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else None


def _local_bounds(params) -> tuple[dt.datetime, dt.datetime]:
    """The period's first and last day as aware datetimes [start, end) in the company zone."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(params["date_from"], dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(params["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


# --- sales by channel -------------------------------------------------------------------------


@register
class SalesByChannelReport(Report):
    slug = "sales-by-channel"
    title = "Sales by channel"
    group = GROUP
    description = (
        "Orders, customers, net sales, tax and totals per sales channel (manual, phone, web "
        "shop, marketplace, ...) in a period, with each channel's share of net sales."
    )
    capability = "sales.view"
    form_class = SalesForm
    default_sort = "-net"
    columns = [
        Column("channel", "Channel"),
        Column("currency", "Currency"),
        Column("orders", "Orders", "int", total=True),
        Column("customers", "Customers", "int"),
        Column("net", "Net sales", "money", total=True),
        Column("tax", "Tax", "money", total=True),
        Column("total", "Total", "money", total=True),
        Column("average", "Average order (net)", "money"),
        Column("share", "Share of net sales", "percent"),
    ]

    def rows(self, params, sort=""):
        from apps.sales.models import SalesOrder

        labels = dict(SalesOrder.Channel.choices)
        grouped = list(
            sales_orders(params)
            .order_by()
            .values("channel", "currency")
            .annotate(
                n=Count("pk"),
                customers=Count("customer_id", distinct=True),
                net=_net(),
                tax=Sum("tax_total"),
                total=Sum("total"),
            )
        )
        per_currency = defaultdict(lambda: ZERO)
        for r in grouped:
            per_currency[r["currency"]] += r["net"] or ZERO
        rows = [
            {
                "channel": labels.get(r["channel"], r["channel"]),
                "currency": r["currency"],
                "orders": r["n"],
                "customers": r["customers"],
                "net": r["net"] or ZERO,
                "tax": r["tax"] or ZERO,
                "total": r["total"] or ZERO,
                "average": _average(r["net"] or ZERO, r["n"]),
                "share": _percent(r["net"] or ZERO, per_currency[r["currency"]]),
            }
            for r in grouped
        ]
        return sort_rows(self, rows, sort)


# --- order fulfilment -------------------------------------------------------------------------


class FulfilmentForm(DateRangeForm):
    promised_days = forms.IntegerField(
        min_value=0,
        max_value=365,
        required=False,
        initial=PROMISED_DAYS,
        label="Promised to ship within (days)",
        help_text=f"Days after the order date; {PROMISED_DAYS} when left empty.",
    )

    def clean(self):
        data = super().clean()
        if data.get("promised_days") is None:
            data["promised_days"] = PROMISED_DAYS
        return data


@register
class OrderFulfilmentReport(Report):
    slug = "order-fulfilment"
    title = "Order fulfilment"
    group = GROUP
    description = (
        "Per channel: orders placed in a period, how many have shipped, the average days from "
        "order to first shipment, and the on-time rate against a promised number of days "
        "(orders not shipped by their promised date count as late)."
    )
    capability = "sales.view"
    form_class = FulfilmentForm
    default_sort = "channel"
    columns = [
        Column("channel", "Channel"),
        Column("orders", "Orders", "int", total=True),
        Column("shipped", "Shipped", "int", total=True),
        Column("on_time", "On time", "int", total=True),
        Column("late", "Late", "int", total=True),
        Column("ship_days", "Days to ship (sum)", "int", total=True),
        Column("days_to_ship", "Average days to ship", "ratio", total=True),
        Column("on_time_rate", "On-time rate", "percent", total=True),
    ]

    def rows(self, params, sort=""):
        from apps.sales.models import SalesOrder

        labels = dict(SalesOrder.Channel.choices)
        promised = params.get("promised_days")
        promised = PROMISED_DAYS if promised is None else int(promised)
        today = timezone.localdate()
        orders = (
            sales_orders(params)
            .order_by()
            .annotate(first_shipped=Min("shipments__shipped_at"))
            .values_list("channel", "order_date", "first_shipped")
        )
        stats = defaultdict(lambda: {"orders": 0, "shipped": 0, "on_time": 0, "late": 0, "days": 0})
        for channel, order_date, first_shipped in orders:
            s = stats[channel]
            s["orders"] += 1
            due = order_date + dt.timedelta(days=promised)
            if first_shipped is not None:
                shipped_on = timezone.localdate(first_shipped)
                s["shipped"] += 1
                s["days"] += (shipped_on - order_date).days
                s["on_time" if shipped_on <= due else "late"] += 1
            elif today > due:
                s["late"] += 1
        rows = [
            {
                "channel": labels.get(channel, channel),
                "orders": s["orders"],
                "shipped": s["shipped"],
                "on_time": s["on_time"],
                "late": s["late"],
                "days_to_ship": (Decimal(s["days"]) / s["shipped"]).quantize(CENT)
                if s["shipped"]
                else None,
                "on_time_rate": _percent(s["on_time"], s["on_time"] + s["late"]),
                "ship_days": s["days"],
            }
            for channel, s in stats.items()
        ]
        return sort_rows(self, rows, sort)

    def totals_finish(self, sums):
        # Averages and rates of the whole, not sums of the rows' averages.
        sums["days_to_ship"] = (
            (sums["ship_days"] / sums["shipped"]).quantize(CENT) if sums["shipped"] else None
        )
        sums["on_time_rate"] = _percent(sums["on_time"], sums["on_time"] + sums["late"])
        return sums


# --- returns ----------------------------------------------------------------------------------


@register
class ReturnsReport(Report):
    slug = "returns"
    title = "Returns"
    group = GROUP
    description = (
        "Returns recorded in a period by reason and disposition (restock, scrap, repair): "
        "returns, quantity and the net value of the returned goods at the order's price."
    )
    capability = "sales.view"
    form_class = SalesForm
    default_sort = "-value"
    columns = [
        Column("reason", "Reason"),
        Column("disposition", "Disposition"),
        Column("currency", "Currency"),
        Column("returns", "Returns", "int"),
        Column("quantity", "Quantity", "qty", total=True),
        Column("value", "Net value", "money", total=True),
    ]

    def rows(self, params, sort=""):
        from apps.sales.models import SalesReturnLine

        start, end = _local_bounds(params)
        lines = SalesReturnLine.objects.filter(
            sales_return__created_at__gte=start, sales_return__created_at__lt=end
        )
        if params.get("currency"):
            lines = lines.filter(sales_return__order__currency=params["currency"])
        labels = dict(SalesReturnLine.Disposition.choices)
        groups: dict[tuple, dict] = {}
        for (
            reason,
            return_reason,
            disposition,
            currency,
            return_id,
            quantity,
            ordered,
            subtotal,
            discount,
        ) in lines.order_by().values_list(
            "reason",
            "sales_return__reason",
            "disposition",
            "sales_return__order__currency",
            "sales_return_id",
            "quantity",
            "order_line__quantity",
            "order_line__line_subtotal",
            "order_line__discount_amount",
        ):
            why = (reason or return_reason or "").strip() or "No reason given"
            key = (why, labels.get(disposition, disposition), currency)
            g = groups.setdefault(key, {"returns": set(), "quantity": ZERO, "value": ZERO})
            g["returns"].add(return_id)
            g["quantity"] += quantity
            if ordered:
                g["value"] += quantity * (subtotal - discount) / ordered
        rows = [
            {
                "reason": reason,
                "disposition": disposition,
                "currency": currency,
                "returns": len(g["returns"]),
                "quantity": g["quantity"],
                "value": g["value"].quantize(CENT),
            }
            for (reason, disposition, currency), g in groups.items()
        ]
        return sort_rows(self, rows, sort)


# --- gross margin -----------------------------------------------------------------------------


def shipped_margins(params, key_fields: tuple[str, ...]) -> dict[tuple, dict]:
    """Revenue, cost of goods and quantity of what shipped in the period, grouped by
    ``key_fields`` (ShipmentLine lookups) and the order's currency. Revenue is the shipped
    quantity at the order line's net unit price; cost is the shipment move's unit cost."""
    from apps.sales.models import ShipmentLine

    start, end = _local_bounds(params)
    lines = ShipmentLine.objects.filter(
        shipment__shipped_at__gte=start, shipment__shipped_at__lt=end
    )
    if params.get("currency"):
        lines = lines.filter(shipment__order__currency=params["currency"])
    groups: dict[tuple, dict] = {}
    for values in lines.order_by().values_list(
        *key_fields,
        "shipment__order__currency",
        "quantity",
        "order_line__quantity",
        "order_line__line_subtotal",
        "order_line__discount_amount",
        "move__quantity",
        "move__unit_cost",
    ):
        *keys, currency, quantity, ordered, subtotal, discount, moved, unit_cost = values
        g = groups.setdefault((*keys, currency), {"quantity": ZERO, "revenue": ZERO, "cost": ZERO})
        g["quantity"] += quantity
        if ordered:
            g["revenue"] += quantity * (subtotal - discount) / ordered
        if moved is not None and unit_cost is not None:
            g["cost"] += abs(moved) * unit_cost
    return groups


def _margin_row(g: dict) -> dict:
    revenue, cost = g["revenue"].quantize(CENT), g["cost"].quantize(CENT)
    return {
        "quantity": g["quantity"],
        "revenue": revenue,
        "cost": cost,
        "margin": revenue - cost,
        "margin_percent": _percent(revenue - cost, revenue),
    }


MARGIN_COLUMNS = [
    Column("currency", "Currency"),
    Column("quantity", "Quantity shipped", "qty", total=True),
    Column("revenue", "Revenue (net)", "money", total=True),
    Column("cost", "Cost of goods", "money", total=True),
    Column("margin", "Gross margin", "money", total=True),
    Column("margin_percent", "Margin %", "percent", total=True),
]


class MarginReport(Report):
    group = FINANCE
    capability = "sales.view"
    form_class = SalesForm
    landscape = True
    default_sort = "-margin"

    def totals_finish(self, sums):
        sums["margin_percent"] = _percent(sums["margin"], sums["revenue"])
        return sums


@register
class GrossMarginByProductReport(MarginReport):
    slug = "gross-margin-by-product"
    title = "Gross margin by product"
    description = (
        "What shipped in a period per SKU: revenue at the order's net price, cost of goods "
        "from the shipment moves' unit cost, gross margin and margin %."
    )
    columns = [Column("sku", "SKU"), Column("product", "Product"), *MARGIN_COLUMNS]

    def rows(self, params, sort=""):
        groups = shipped_margins(
            params, ("order_line__variant__sku", "order_line__variant__product__name")
        )
        rows = [
            {"sku": sku, "product": name, "currency": currency, **_margin_row(g)}
            for (sku, name, currency), g in groups.items()
        ]
        return sort_rows(self, rows, sort)


@register
class GrossMarginByCategoryReport(MarginReport):
    slug = "gross-margin-by-category"
    title = "Gross margin by category"
    description = (
        "What shipped in a period per product category: revenue at the order's net price, "
        "cost of goods from the shipment moves' unit cost, gross margin and margin %."
    )
    columns = [Column("category", "Category"), *MARGIN_COLUMNS]

    def rows(self, params, sort=""):
        groups = shipped_margins(params, ("order_line__variant__product__category__name",))
        rows = [
            {"category": name or "Uncategorised", "currency": currency, **_margin_row(g)}
            for (name, currency), g in groups.items()
        ]
        return sort_rows(self, rows, sort)


# --- receivables aging ------------------------------------------------------------------------


class AgingForm(forms.Form):
    as_of = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Days past due as of",
        help_text="Today when left empty.",
    )

    def clean(self):
        data = super().clean()
        data["as_of"] = data.get("as_of") or timezone.localdate()
        return data


AGING_BUCKETS = [
    ("current", "Current", None, 0),
    ("d1_30", "1–30 days", 1, 30),
    ("d31_60", "31–60 days", 31, 60),
    ("d61_90", "61–90 days", 61, 90),
    ("d90_plus", "Over 90 days", 91, None),
]


def aging_bucket(days_past_due: int) -> str:
    for key, _label, low, high in AGING_BUCKETS:
        if (low is None or days_past_due >= low) and (high is None or days_past_due <= high):
            return key
    return AGING_BUCKETS[-1][0]


@register
class ReceivablesAgingReport(Report):
    slug = "receivables-aging"
    title = "Receivables aging"
    group = FINANCE
    description = (
        "Open invoice balances on a date (total less the payments received by then) per "
        "customer, in buckets of days past the due date: current, 1–30, 31–60, 61–90 and "
        "over 90 days."
    )
    capability = "sales.view"
    form_class = AgingForm
    landscape = True
    default_sort = "-balance"
    columns = [
        Column("customer", "Customer"),
        Column("currency", "Currency"),
        Column("invoices", "Open invoices", "int", total=True),
        *(Column(key, label, "money", total=True) for key, label, _lo, _hi in AGING_BUCKETS),
        Column("balance", "Balance", "money", total=True),
    ]

    def rows(self, params, sort=""):
        from apps.sales.models import Invoice, Payment

        as_of = params.get("as_of") or timezone.localdate()
        received = Q(payments__received_on__lte=as_of)
        paid = Coalesce(
            Sum("payments__amount", filter=received & Q(payments__kind=Payment.Kind.PAYMENT)),
            ZERO,
            output_field=MONEY,
        ) - Coalesce(
            Sum("payments__amount", filter=received & Q(payments__kind=Payment.Kind.REFUND)),
            ZERO,
            output_field=MONEY,
        )
        # Balances as they stood on the date: payments and refunds received by then. A
        # refunded invoice (goods returned, money back) is owed nothing.
        open_ = (
            Invoice.objects.filter(issue_date__lte=as_of)
            .exclude(payment_status=Invoice.PaymentStatus.REFUNDED)
            .order_by()
            .annotate(paid_then=paid)
            .annotate(balance=F("total") - F("paid_then"))
            .filter(balance__gt=0)
        )
        groups: dict[tuple, dict] = {}
        for customer, currency, due, balance in open_.values_list(
            "order__customer__name", "currency", "due_date", "balance"
        ):
            g = groups.setdefault(
                (customer, currency),
                {"invoices": 0, "balance": ZERO, **{b[0]: ZERO for b in AGING_BUCKETS}},
            )
            g["invoices"] += 1
            g["balance"] += balance
            g[aging_bucket((as_of - due).days)] += balance
        rows = [
            {"customer": customer, "currency": currency, **g}
            for (customer, currency), g in groups.items()
        ]
        return sort_rows(self, rows, sort)
