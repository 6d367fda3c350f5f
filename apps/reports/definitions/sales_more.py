"""More sales and finance reports: sales by channel, order fulfilment, returns, gross margin
(by product and by category) and receivables aging.

Amounts are in the document's currency (rows are split by currency), as in the other sales
reports, with a company-currency column converted at each order's captured exchange rate;
amounts in the documents' own currencies total only when every row shares one currency.
Gross margin is all in the company's currency: revenue converted with the order's rate, cost
the shipment moves' ``unit_cost`` (what the ledger charged when the goods left).
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
    NET_COMPANY,
    ZERO,
    CurrencyTotals,
    SalesForm,
    _average,
    _net,
    _net_company,
    cents,
    sales_orders,
)
from apps.reports.definitions.stock_analysis import sort_rows
from apps.reports.registry import register

FINANCE = "Purchasing and finance"


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
class SalesByChannelReport(CurrencyTotals, Report):
    slug = "sales-by-channel"
    title = "Sales by channel"
    group = GROUP
    description = (
        "Orders, customers, net sales, tax and totals per sales channel (manual, phone, web "
        "shop, marketplace, ...) in a period, with each channel's share of net sales (in the "
        "company's currency, so shares add up across currencies)."
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
        NET_COMPANY,
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
                net_company=_net_company(),
                tax=Sum("tax_total"),
                total=Sum("total"),
            )
        )
        for r in grouped:
            r["net_company"] = cents(r["net_company"])
        whole = sum((r["net_company"] for r in grouped), ZERO)
        rows = [
            {
                "channel": labels.get(r["channel"], r["channel"]),
                "currency": r["currency"],
                "orders": r["n"],
                "customers": r["customers"],
                "net": r["net"] or ZERO,
                "tax": r["tax"] or ZERO,
                "total": r["total"] or ZERO,
                "net_company": r["net_company"],
                "average": _average(r["net"] or ZERO, r["n"]),
                "share": _percent(r["net_company"], whole),
            }
            for r in grouped
        ]
        return sort_rows(self, rows, sort)


# --- order fulfilment -------------------------------------------------------------------------


@register
class OrderFulfilmentReport(Report):
    slug = "order-fulfilment"
    title = "Order fulfilment"
    group = GROUP
    description = (
        "Per channel: orders placed in a period, how many have shipped, the average days from "
        "order to first shipment, and the on-time rate against each order's promised ship "
        "date (orders not shipped by their promised date count as late)."
    )
    capability = "sales.view"
    form_class = DateRangeForm
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
        from apps.sales.config import sales_settings
        from apps.sales.models import SalesOrder

        labels = dict(SalesOrder.Channel.choices)
        # Orders written without a promised date (bulk demo history) are promised on order
        # date + the company's handling days, as new orders are by default.
        handling = dt.timedelta(days=sales_settings().default_handling_days)
        today = timezone.localdate()
        orders = (
            sales_orders(params)
            .order_by()
            .annotate(first_shipped=Min("shipments__shipped_at"))
            .values_list("channel", "order_date", "promised_date", "first_shipped")
        )
        stats = defaultdict(lambda: {"orders": 0, "shipped": 0, "on_time": 0, "late": 0, "days": 0})
        for channel, order_date, promised, first_shipped in orders:
            s = stats[channel]
            s["orders"] += 1
            due = promised or order_date + handling
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
class ReturnsReport(CurrencyTotals, Report):
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
        Column("value_company", "Net value (company currency)", "money", total=True),
    ]
    order_money = ("value",)

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
            rate,
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
            "sales_return__order__exchange_rate",
        ):
            why = (reason or return_reason or "").strip() or "No reason given"
            key = (why, labels.get(disposition, disposition), currency)
            g = groups.setdefault(
                key, {"returns": set(), "quantity": ZERO, "value": ZERO, "value_company": ZERO}
            )
            g["returns"].add(return_id)
            g["quantity"] += quantity
            if ordered:
                value = quantity * (subtotal - discount) / ordered
                g["value"] += value
                g["value_company"] += value * rate
        rows = [
            {
                "reason": reason,
                "disposition": disposition,
                "currency": currency,
                "returns": len(g["returns"]),
                "quantity": g["quantity"],
                "value": g["value"].quantize(CENT),
                "value_company": cents(g["value_company"]),
            }
            for (reason, disposition, currency), g in groups.items()
        ]
        return sort_rows(self, rows, sort)


# --- gross margin -----------------------------------------------------------------------------


def shipped_margins(params, key_fields: tuple[str, ...]) -> dict[tuple, dict]:
    """Revenue, cost of goods and quantity of what shipped in the period, grouped by
    ``key_fields`` (ShipmentLine lookups) and the order's currency. Revenue is the shipped
    quantity at the order line's net unit price, converted to the company's currency with the
    order's captured exchange rate; cost is the shipment move's unit cost (already in it)."""
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
        "shipment__order__exchange_rate",
    ):
        *keys, currency, quantity, ordered, subtotal, discount, moved, unit_cost, rate = values
        g = groups.setdefault((*keys, currency), {"quantity": ZERO, "revenue": ZERO, "cost": ZERO})
        g["quantity"] += quantity
        if ordered:
            g["revenue"] += quantity * (subtotal - discount) / ordered * rate
        if moved is not None and unit_cost is not None:
            g["cost"] += abs(moved) * unit_cost
    return groups


def _margin_row(g: dict) -> dict:
    revenue, cost = cents(g["revenue"]), g["cost"].quantize(CENT)
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
    Column("revenue", "Revenue (net, company currency)", "money", total=True),
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
        "What shipped in a period per SKU: revenue at the order's net price (converted to the "
        "company's currency at the order's rate), cost of goods from the shipment moves' unit "
        "cost, gross margin and margin %."
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
        "What shipped in a period per product category: revenue at the order's net price "
        "(converted to the company's currency at the order's rate), cost of goods from the "
        "shipment moves' unit cost, gross margin and margin %."
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
class ReceivablesAgingReport(CurrencyTotals, Report):
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
        Column("balance_company", "Balance (company currency)", "money", total=True),
    ]
    order_money = (*(b[0] for b in AGING_BUCKETS), "balance")

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
        for customer, currency, due, balance, rate in open_.values_list(
            "order__customer__name", "currency", "due_date", "balance", "order__exchange_rate"
        ):
            g = groups.setdefault(
                (customer, currency),
                {
                    "invoices": 0,
                    "balance": ZERO,
                    "balance_company": ZERO,
                    **{b[0]: ZERO for b in AGING_BUCKETS},
                },
            )
            g["invoices"] += 1
            g["balance"] += balance
            g["balance_company"] += balance * rate
            g[aging_bucket((as_of - due).days)] += balance
        rows = [
            {
                "customer": customer,
                "currency": currency,
                **g,
                "balance_company": cents(g["balance_company"]),
            }
            for (customer, currency), g in groups.items()
        ]
        return sort_rows(self, rows, sort)
