"""Sales reports: by customer, by product, by period.

Sales are orders dated (``order_date``) in the period that are neither drafts nor
cancelled. Amounts are the orders' stored, per-line-rounded figures in the order's
currency: *net sales* = subtotal − discounts (before tax), *tax*, and *total* = net + tax.
Returns and credit notes are not deducted here (the returns report shows them).

A company may sell in several currencies: rows are split by currency, and *net sales
(company currency)* converts each order back with the exchange rate it captured when it
was created — Σ(net × rate), rounded to the cent once per row. That column always totals;
amounts in the orders' own currencies total only when every row shares one currency (a
currency filter does that), never adding euros to dollars as if they were equal.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.db.models import Count, DecimalField, F, Max, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

from apps.reports.base import Column, Report
from apps.reports.dates import DateRangeForm
from apps.reports.definitions.stock_analysis import sort_rows
from apps.reports.registry import register

GROUP = "Sales"
NOT_SALES = ("draft", "cancelled")
MONEY = DecimalField(max_digits=20, decimal_places=2)
ZERO = Decimal("0")
CENT = Decimal("0.01")


def _currency_choices():
    from apps.sales.models import SalesOrder

    codes = SalesOrder.objects.order_by("currency").values_list("currency", flat=True).distinct()
    return [("", "All currencies"), *((c, c) for c in codes)]


class SalesForm(DateRangeForm):
    currency = forms.ChoiceField(required=False, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = _currency_choices()


class SalesByPeriodForm(SalesForm):
    bucket = forms.ChoiceField(
        choices=[("day", "Day"), ("week", "Week"), ("month", "Month")],
        initial="month",
        required=False,
        label="Group by",
    )


def sales_orders(params: dict):
    """The orders that count as sales in the report's period (and currency)."""
    from apps.sales.models import SalesOrder

    qs = SalesOrder.objects.filter(
        order_date__gte=params["date_from"], order_date__lte=params["date_to"]
    ).exclude(status__in=NOT_SALES)
    if params.get("currency"):
        qs = qs.filter(currency=params["currency"])
    return qs


def _net():
    return Sum(F("subtotal") - F("discount_total"), output_field=MONEY)


RATE_MONEY = DecimalField(max_digits=30, decimal_places=8)


def _net_company(prefix: str = ""):
    """Σ net × the order's captured rate (``prefix="order__"`` from lines, which then use
    their own net). Unrounded: round the row's sum with ``cents``."""
    if prefix:
        return Sum(
            (F("line_subtotal") - F("discount_amount")) * F(f"{prefix}exchange_rate"),
            output_field=RATE_MONEY,
        )
    return Sum((F("subtotal") - F("discount_total")) * F("exchange_rate"), output_field=RATE_MONEY)


def cents(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


NET_COMPANY = Column("net_company", "Net sales (company currency)", "money", total=True)


class CurrencyTotals:
    """Totals of rows in several currencies: the ``order_money`` columns (amounts in each
    row's own currency) are left empty unless every row has the same currency; everything
    else (counts, company-currency amounts) totals as usual."""

    order_money: tuple[str, ...] = ("net", "tax", "total")

    def totals_start(self) -> dict:
        sums = super().totals_start()
        sums["_currencies"] = set()
        return sums

    def totals_add(self, sums: dict, row: dict) -> None:
        sums["_currencies"].add(row.get("currency"))
        for key in sums:
            if key != "_currencies":
                sums[key] += Decimal(row.get(key) or 0)

    def totals_finish(self, sums: dict) -> dict:
        if len(sums.pop("_currencies")) > 1:
            for key in self.order_money:
                if key in sums:
                    sums[key] = None
        return super().totals_finish(sums)


def _average(total: Decimal, count: int) -> Decimal | None:
    return (total / count).quantize(CENT) if count else None


@register
class SalesByCustomerReport(CurrencyTotals, Report):
    slug = "sales-by-customer"
    title = "Sales by customer"
    group = GROUP
    description = (
        "Orders, net sales, tax and totals per customer in a period, with the average order "
        "and the last order date."
    )
    capability = "sales.view"
    form_class = SalesForm
    landscape = True
    default_sort = "-net"
    columns = [
        Column("customer", "Customer"),
        Column("currency", "Currency"),
        Column("orders", "Orders", "int", total=True),
        Column("net", "Net sales", "money", total=True),
        Column("tax", "Tax", "money", total=True),
        Column("total", "Total", "money", total=True),
        NET_COMPANY,
        Column("average", "Average order (net)", "money"),
        Column("last_order", "Last order", "date"),
    ]

    def rows(self, params, sort=""):
        grouped = (
            sales_orders(params)
            .order_by()
            .values("customer_id", "customer__name", "currency")
            .annotate(
                n=Count("pk"),
                net=_net(),
                net_company=_net_company(),
                tax=Sum("tax_total"),
                total=Sum("total"),
                last=Max("order_date"),
            )
        )
        rows = [
            {
                "customer": r["customer__name"],
                "currency": r["currency"],
                "orders": r["n"],
                "net": r["net"] or ZERO,
                "tax": r["tax"] or ZERO,
                "total": r["total"] or ZERO,
                "net_company": cents(r["net_company"]),
                "average": _average(r["net"] or ZERO, r["n"]),
                "last_order": r["last"],
            }
            for r in grouped
        ]
        return sort_rows(self, rows, sort)


@register
class SalesByProductReport(CurrencyTotals, Report):
    slug = "sales-by-product"
    title = "Sales by product"
    group = GROUP
    description = (
        "Quantity sold, orders, net sales and average net price per SKU in a period "
        "(ordered quantities of confirmed orders, whether shipped yet or not)."
    )
    capability = "sales.view"
    form_class = SalesForm
    landscape = True
    default_sort = "-net"
    columns = [
        Column("sku", "SKU"),
        Column("product", "Product"),
        Column("currency", "Currency"),
        Column("quantity", "Quantity", "qty", total=True),
        Column("orders", "Orders", "int"),
        Column("net", "Net sales", "money", total=True),
        NET_COMPANY,
        Column("average_price", "Average net price", "money"),
        Column("shipped", "Shipped", "qty", total=True),
    ]

    def rows(self, params, sort=""):
        from apps.sales.models import SalesOrderLine

        grouped = (
            SalesOrderLine.objects.filter(order__in=sales_orders(params))
            .order_by()
            .values("variant_id", "variant__sku", "variant__product__name", "order__currency")
            .annotate(
                quantity=Sum("quantity"),
                orders=Count("order_id", distinct=True),
                net=Sum(F("line_subtotal") - F("discount_amount"), output_field=MONEY),
                net_company=_net_company("order__"),
                shipped=Sum("shipped_quantity"),
            )
        )
        rows = []
        for r in grouped:
            net = r["net"] or ZERO
            rows.append(
                {
                    "sku": r["variant__sku"],
                    "product": r["variant__product__name"],
                    "currency": r["order__currency"],
                    "quantity": r["quantity"],
                    "orders": r["orders"],
                    "net": net,
                    "net_company": cents(r["net_company"]),
                    "average_price": (net / r["quantity"]).quantize(CENT)
                    if r["quantity"]
                    else None,
                    "shipped": r["shipped"],
                }
            )
        return sort_rows(self, rows, sort)


BUCKETS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


@register
class SalesByPeriodReport(CurrencyTotals, Report):
    slug = "sales-by-period"
    title = "Sales by period"
    group = GROUP
    description = (
        "Orders, customers, net sales, tax and totals per day, week (starting Monday) or "
        "month, with the average order."
    )
    capability = "sales.view"
    form_class = SalesByPeriodForm
    default_sort = "period"
    columns = [
        Column("period", "Period starting", "date"),
        Column("currency", "Currency"),
        Column("orders", "Orders", "int", total=True),
        Column("customers", "Customers", "int"),
        Column("net", "Net sales", "money", total=True),
        Column("tax", "Tax", "money", total=True),
        Column("total", "Total", "money", total=True),
        NET_COMPANY,
        Column("average", "Average order (net)", "money"),
    ]

    def rows(self, params, sort=""):
        trunc = BUCKETS.get(params.get("bucket") or "month", TruncMonth)
        grouped = (
            sales_orders(params)
            .annotate(bucket=trunc("order_date"))
            .order_by()
            .values("bucket", "currency")
            .annotate(
                n=Count("pk"),
                customers=Count("customer_id", distinct=True),
                net=_net(),
                net_company=_net_company(),
                tax=Sum("tax_total"),
                total=Sum("total"),
            )
        )
        rows = [
            {
                "period": r["bucket"],
                "currency": r["currency"],
                "orders": r["n"],
                "customers": r["customers"],
                "net": r["net"] or ZERO,
                "tax": r["tax"] or ZERO,
                "total": r["total"] or ZERO,
                "net_company": cents(r["net_company"]),
                "average": _average(r["net"] or ZERO, r["n"]),
            }
            for r in grouped
        ]
        return sort_rows(self, rows, sort)
