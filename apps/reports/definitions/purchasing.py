"""Purchasing and finance reports: PO history, vendor performance, cost analysis and budget
vs actual. Amounts in the company's currency are an order's amount × its exchange rate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.db.models import DecimalField, F, Max, Min, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from apps.reports.base import Column, Report
from apps.reports.dates import DateRangeForm
from apps.reports.definitions.stock_analysis import local_start, sort_rows
from apps.reports.registry import register

MONEY = DecimalField(max_digits=20, decimal_places=4)
ZERO = Decimal(0)
GROUP = "Purchasing and finance"
NOT_ORDERED = ("draft", "cancelled", "rejected")  # never committed spending


def _supplier_choices():
    from apps.catalog.models import Supplier

    return [("", "All suppliers")] + [
        (str(pk), name) for pk, name in Supplier.objects.order_by("name").values_list("pk", "name")
    ]


class PoHistoryForm(DateRangeForm):
    supplier = forms.ChoiceField(required=False, choices=[])
    status = forms.ChoiceField(required=False, choices=[])

    def __init__(self, *args, **kwargs):
        from apps.purchasing.models import PurchaseOrder

        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = _supplier_choices()
        self.fields["status"].choices = [("", "Any status"), *PurchaseOrder.Status.choices]


@register
class PoHistoryReport(Report):
    slug = "po-history"
    title = "Purchase order history"
    group = GROUP
    description = (
        "Purchase orders dated in a period, with supplier, status, dates and totals (in the "
        "order's currency and in the company's)."
    )
    capability = "purchasing.view"
    form_class = PoHistoryForm
    landscape = True
    default_sort = "-order_date"
    columns = [
        Column("number", "Number"),
        Column("order_date", "Ordered", "date"),
        Column("supplier", "Supplier"),
        Column("warehouse", "Warehouse"),
        Column("status", "Status"),
        Column("expected_date", "Expected", "date"),
        Column("received_at", "Received", "date"),
        Column("currency", "Currency"),
        Column("total", "Total", "money"),
        Column("total_company", "Total (company currency)", "money", total=True),
    ]
    _fields = {"supplier": "supplier__name", "warehouse": "warehouse__code",
               "total_company": "total_company_calc"}  # fmt: skip

    def _queryset(self, params):
        from apps.purchasing.models import PurchaseOrder

        qs = PurchaseOrder.objects.filter(
            order_date__gte=params["date_from"], order_date__lte=params["date_to"]
        )
        if params.get("supplier"):
            qs = qs.filter(supplier_id=params["supplier"])
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        return qs

    def estimate_rows(self, params):
        return self._queryset(params).count()

    def rows(self, params, sort=""):
        from apps.purchasing.models import PurchaseOrder

        key, descending = self.sort_key(sort)
        qs = self._queryset(params).annotate(total_company_calc=F("total") * F("exchange_rate"))
        qs = qs.order_by(("-" if descending else "") + self._fields.get(key, key), "-pk")
        statuses = dict(PurchaseOrder.Status.choices)
        for r in qs.values(
            "number", "order_date", "supplier__name", "warehouse__code", "status",
            "expected_date", "received_at", "currency", "total", "total_company_calc",
        ).iterator(chunk_size=2000):  # fmt: skip
            yield {
                "number": r["number"],
                "order_date": r["order_date"],
                "supplier": r["supplier__name"],
                "warehouse": r["warehouse__code"],
                "status": statuses.get(r["status"], r["status"]),
                "expected_date": r["expected_date"],
                "received_at": timezone.localtime(r["received_at"]).date()
                if r["received_at"]
                else None,
                "currency": r["currency"],
                "total": r["total"],
                "total_company": r["total_company_calc"].quantize(Decimal("0.01")),
            }


@register
class VendorPerformanceReport(Report):
    slug = "vendor-performance"
    title = "Vendor performance"
    group = GROUP
    description = (
        "Each supplier's scorecard: on-time rate and fill rate of complete orders, actual lead "
        "time (average and deviation), rejection rate, and spend received in the period."
    )
    capability = "purchasing.view"
    form_class = DateRangeForm
    landscape = True
    default_sort = "supplier"
    columns = [
        Column("supplier", "Supplier"),
        Column("orders", "Orders", "int", total=True),
        Column("complete", "Complete", "int", total=True),
        Column("on_time", "On time", "percent"),
        Column("lead_time", "Lead time (days)", "ratio"),
        Column("lead_time_deviation", "Lead time deviation", "ratio"),
        Column("fill_rate", "Fill rate", "percent"),
        Column("rejection_rate", "Rejected", "percent"),
        Column("spend", "Spend in period", "money", total=True),
    ]

    def rows(self, params, sort=""):
        from apps.catalog.models import Supplier
        from apps.purchasing.vendor_performance import scorecards

        suppliers = dict(
            Supplier.objects.filter(purchase_orders__isnull=False)
            .distinct()
            .values_list("pk", "name")
        )
        first = params["date_from"].strftime("%Y-%m")
        last = params["date_to"].strftime("%Y-%m")
        rows = []
        for sid, card in scorecards(list(suppliers)).items():
            spend = sum(
                (v for month, v in card.spend_by_month.items() if first <= month <= last), ZERO
            )
            rows.append(
                {
                    "supplier": suppliers[sid],
                    "orders": card.orders,
                    "complete": card.complete_orders,
                    "on_time": card.on_time_rate,
                    "lead_time": card.lead_time.average if card.lead_time else None,
                    "lead_time_deviation": card.lead_time.deviation if card.lead_time else None,
                    "fill_rate": card.fill_rate,
                    "rejection_rate": card.rejection_rate,
                    "spend": spend,
                }
            )
        return sort_rows(self, rows, sort)


@register
class CostAnalysisReport(Report):
    slug = "cost-analysis"
    title = "Purchase cost analysis"
    group = GROUP
    description = (
        "What each variant cost when received in a period (landed, in the company's currency): "
        "quantity, spend, average, lowest and highest unit cost, against today's average cost."
    )
    capability = "purchasing.view"
    form_class = DateRangeForm
    landscape = True
    default_sort = "-spend"
    columns = [
        Column("sku", "SKU"),
        Column("product", "Product"),
        Column("quantity", "Received qty", "qty", total=True),
        Column("spend", "Spend", "money", total=True),
        Column("average", "Average unit cost", "money"),
        Column("lowest", "Lowest", "money"),
        Column("highest", "Highest", "money"),
        Column("current", "Current average cost", "money"),
        Column("change", "Current vs period", "percent"),
    ]

    def rows(self, params, sort=""):
        from apps.purchasing.models import ReceiptLine

        start = local_start(params["date_from"])
        end = local_start(params["date_to"] + dt.timedelta(days=1))
        grouped = (
            ReceiptLine.objects.filter(
                receipt__received_at__gte=start, receipt__received_at__lt=end, quantity__gt=0
            )
            .values(
                "order_line__variant__sku",
                "order_line__variant__product__name",
                "order_line__variant__cost__average_cost",
            )
            .annotate(
                qty=Sum("quantity"),
                spend_calc=Sum(F("quantity") * F("unit_cost"), output_field=MONEY),
                low=Min("unit_cost"),
                high=Max("unit_cost"),
            )
            .order_by()
        )
        rows = []
        for r in grouped:
            average = r["spend_calc"] / r["qty"]
            current = r["order_line__variant__cost__average_cost"]
            rows.append(
                {
                    "sku": r["order_line__variant__sku"],
                    "product": r["order_line__variant__product__name"],
                    "quantity": r["qty"],
                    "spend": r["spend_calc"],
                    "average": average,
                    "lowest": r["low"],
                    "highest": r["high"],
                    "current": current,
                    "change": (current / average - 1) * 100 if current is not None and average
                    else None,
                }
            )  # fmt: skip
        return sort_rows(self, rows, sort)


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)

    def clean_year(self):
        return self.cleaned_data.get("year") or timezone.localdate().year


@register
class BudgetVsActualReport(Report):
    slug = "budget-vs-actual"
    title = "Purchasing budget vs actual"
    group = GROUP
    description = (
        "Each month of a year: the purchasing budget (set in Reports → Budgets), what was "
        "ordered (approved orders dated that month, in the company's currency), what was "
        "received, what is left and how much of the budget is used."
    )
    capability = "purchasing.view"
    form_class = YearForm
    default_sort = "month"
    columns = [
        Column("month", "Month", sortable=False),
        Column("budget", "Budget", "money", total=True, sortable=False),
        Column("ordered", "Ordered", "money", total=True, sortable=False),
        Column("received", "Received", "money", total=True, sortable=False),
        Column("remaining", "Remaining", "money", total=True, sortable=False),
        Column("used", "Used", "percent", total=True, sortable=False),
    ]

    def rows(self, params, sort=""):
        from apps.purchasing.models import PurchaseOrder, ReceiptLine
        from apps.reports.models import PurchasingBudget

        year = params["year"]
        budgets = {
            b.month.month: b.amount for b in PurchasingBudget.objects.filter(month__year=year)
        }
        ordered = dict(
            PurchaseOrder.objects.filter(order_date__year=year)
            .exclude(status__in=NOT_ORDERED)
            .annotate(m=TruncMonth("order_date"))
            .order_by()
            .values("m")
            .annotate(t=Sum(F("total") * F("exchange_rate"), output_field=MONEY))
            .values_list("m", "t")
        )
        received = dict(
            ReceiptLine.objects.filter(
                receipt__received_at__gte=local_start(dt.date(year, 1, 1)),
                receipt__received_at__lt=local_start(dt.date(year + 1, 1, 1)),
            )
            .annotate(m=TruncMonth("receipt__received_at", tzinfo=timezone.get_current_timezone()))
            .order_by()
            .values("m")
            .annotate(t=Sum(F("quantity") * F("unit_cost"), output_field=MONEY))
            .values_list("m", "t")
        )
        received = {timezone.localtime(k).month if isinstance(k, dt.datetime) else k.month: v
                    for k, v in received.items()}  # fmt: skip
        ordered = {k.month: v for k, v in ordered.items()}
        for month in range(1, 13):
            budget = budgets.get(month, ZERO)
            spent = Decimal(ordered.get(month) or 0).quantize(Decimal("0.01"))
            yield {
                "month": dt.date(year, month, 1).strftime("%Y-%m"),
                "budget": budget,
                "ordered": spent,
                "received": Decimal(received.get(month) or 0).quantize(Decimal("0.01")),
                "remaining": budget - spent,
                "used": spent * 100 / budget if budget else None,
            }

    def totals_add(self, sums, row):
        for key in ("budget", "ordered", "received", "remaining"):
            sums[key] += Decimal(row.get(key) or 0)

    def totals_finish(self, sums):
        sums["used"] = sums["ordered"] * 100 / sums["budget"] if sums["budget"] else None
        return sums
