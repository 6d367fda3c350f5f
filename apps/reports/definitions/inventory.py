"""Inventory reports: stock levels, movements, valuation as of a date, stock aging."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.db.models import Case, DecimalField, F, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.reports.base import Column, Report
from apps.reports.dates import DateRangeForm
from apps.reports.registry import register

MONEY = DecimalField(max_digits=20, decimal_places=4)
ZERO = Value(Decimal(0), output_field=MONEY)


def _warehouse_choices():
    from apps.inventory.models import Warehouse

    return [("", "All warehouses")] + [
        (str(w.pk), f"{w.code} — {w.name}") for w in Warehouse.objects.order_by("code")
    ]


class WarehouseForm(forms.Form):
    warehouse = forms.ChoiceField(required=False, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = _warehouse_choices()


def _order(qs, report: Report, sort: str, fields: dict[str, str]):
    key, descending = report.sort_key(sort)
    field = fields.get(key, key)
    return qs.order_by(("-" if descending else "") + field, "pk")


@register
class StockLevelsReport(Report):
    slug = "stock-levels"
    title = "Stock levels by warehouse and location"
    group = "Inventory"
    description = (
        "On hand, reserved and available per variant and location, valued at average cost."
    )
    form_class = WarehouseForm
    default_sort = "sku"
    columns = [
        Column("sku", "SKU"),
        Column("product", "Product"),
        Column("warehouse", "Warehouse"),
        Column("location", "Location"),
        Column("on_hand", "On hand", "qty", total=True),
        Column("reserved", "Reserved", "qty", total=True),
        Column("available", "Available", "qty", total=True),
        Column("unit_cost", "Average cost", "money"),
        Column("value", "Value", "money", total=True),
    ]

    def _levels(self, params):
        from apps.inventory.models import StockLevel

        qs = StockLevel.objects.exclude(on_hand=0, reserved=0)
        if params.get("warehouse"):
            qs = qs.filter(location__warehouse_id=params["warehouse"])
        return qs

    def estimate_rows(self, params):
        return self._levels(params).count()

    def rows(self, params, sort=""):
        qs = self._levels(params)
        qs = qs.annotate(
            unit_cost=Coalesce(F("variant__cost__average_cost"), ZERO),
        )
        fields = {
            "sku": "variant__sku",
            "product": "variant__product__name",
            "warehouse": "location__warehouse__code",
            "location": "location__code",
            "available": "available_calc",
            "value": "value_calc",
        }
        qs = qs.annotate(
            available_calc=F("on_hand") - F("reserved"),
            value_calc=F("on_hand") * F("unit_cost"),
        )
        for r in _order(qs, self, sort, fields).values(
            "variant__sku", "variant__product__name", "location__warehouse__code", "location__code",
            "on_hand", "reserved", "available_calc", "unit_cost", "value_calc",
        ).iterator(chunk_size=2000):  # fmt: skip
            yield {
                "sku": r["variant__sku"],
                "product": r["variant__product__name"],
                "warehouse": r["location__warehouse__code"],
                "location": r["location__code"],
                "on_hand": r["on_hand"],
                "reserved": r["reserved"],
                "available": r["available_calc"],
                "unit_cost": r["unit_cost"],
                "value": r["value_calc"],
            }


class MovementsForm(DateRangeForm):
    kind = forms.ChoiceField(required=False, choices=[])
    sku = forms.CharField(required=False, label="SKU")

    def __init__(self, *args, **kwargs):
        from apps.inventory.models import StockMove

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All kinds"), *StockMove.Kind.choices]


@register
class MovementsReport(Report):
    slug = "movements"
    title = "Movement history"
    group = "Inventory"
    description = "Every stock move in a period, with its value at the cost it was posted with."
    form_class = MovementsForm
    landscape = True
    default_sort = "-when"
    columns = [
        Column("when", "When", "datetime"),
        Column("sku", "SKU"),
        Column("warehouse", "Warehouse"),
        Column("location", "Location"),
        Column("kind", "Kind"),
        Column("reason", "Reason"),
        Column("quantity", "Quantity", "qty"),
        Column("unit_cost", "Unit cost", "money"),
        Column("value", "Value", "money", total=True),
        Column("user", "By"),
    ]

    def _moves(self, params):
        from apps.inventory.models import StockMove

        start = dt.datetime.combine(
            params["date_from"], dt.time.min, tzinfo=timezone.get_current_timezone()
        )
        end = dt.datetime.combine(
            params["date_to"] + dt.timedelta(days=1),
            dt.time.min,
            tzinfo=timezone.get_current_timezone(),
        )
        qs = StockMove.objects.filter(created_at__gte=start, created_at__lt=end)
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        if params.get("sku"):
            qs = qs.filter(variant__sku__iexact=params["sku"].strip())
        return qs

    def estimate_rows(self, params):
        return self._moves(params).count()

    def rows(self, params, sort=""):
        from apps.inventory.models import StockMove

        qs = self._moves(params).annotate(value_calc=F("quantity") * Coalesce(F("unit_cost"), ZERO))
        fields = {"when": "created_at", "sku": "variant__sku", "warehouse": "location__warehouse__code",
                  "location": "location__code", "value": "value_calc", "user": "user__email"}  # fmt: skip
        kinds = dict(StockMove.Kind.choices)
        for r in _order(qs, self, sort, fields).values(
            "created_at", "variant__sku", "location__warehouse__code", "location__code", "kind",
            "reason", "quantity", "unit_cost", "value_calc", "user__email",
        ).iterator(chunk_size=2000):  # fmt: skip
            yield {
                "when": r["created_at"],
                "sku": r["variant__sku"],
                "warehouse": r["location__warehouse__code"],
                "location": r["location__code"],
                "kind": kinds.get(r["kind"], r["kind"]),
                "reason": r["reason"],
                "quantity": r["quantity"],
                "unit_cost": r["unit_cost"],
                "value": r["value_calc"],
                "user": r["user__email"] or "",
            }


class AsOfForm(WarehouseForm):
    as_of = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="As of (end of day)"
    )

    def clean_as_of(self):
        return self.cleaned_data.get("as_of") or timezone.localdate()


@register
class ValuationAsOfReport(Report):
    slug = "valuation-as-of"
    title = "Stock valuation as of a date"
    group = "Inventory"
    description = (
        "Quantity and value per variant at the end of a day, rebuilt from the ledger (each move "
        "at the moving-average cost it was posted with), not from today's balances."
    )
    form_class = AsOfForm
    default_sort = "sku"
    columns = [
        Column("sku", "SKU"),
        Column("product", "Product"),
        Column("quantity", "Quantity", "qty", total=True),
        Column("unit_cost", "Average cost", "money"),
        Column("value", "Value", "money", total=True),
    ]

    def rows(self, params, sort=""):
        from apps.inventory.models import StockMove

        end = dt.datetime.combine(
            params["as_of"] + dt.timedelta(days=1),
            dt.time.min,
            tzinfo=timezone.get_current_timezone(),
        )
        qs = StockMove.objects.filter(created_at__lt=end)
        if params.get("warehouse"):
            qs = qs.filter(location__warehouse_id=params["warehouse"])
        grouped = (
            qs.values("variant_id", "variant__sku", "variant__product__name")
            .annotate(
                qty=Sum("quantity"),
                value_calc=Sum(F("quantity") * Coalesce(F("unit_cost"), ZERO), output_field=MONEY),
            )
            .exclude(qty=0, value_calc=0)
        )
        fields = {
            "sku": "variant__sku",
            "product": "variant__product__name",
            "quantity": "qty",
            "value": "value_calc",
        }
        key, descending = self.sort_key(sort)
        grouped = grouped.order_by(
            ("-" if descending else "") + fields.get(key, "variant__sku"), "variant_id"
        )
        for r in grouped.iterator(chunk_size=2000):
            qty, value = r["qty"], r["value_calc"]
            yield {
                "sku": r["variant__sku"],
                "product": r["variant__product__name"],
                "quantity": qty,
                "unit_cost": (value / qty) if qty else None,
                "value": value,
            }


BUCKETS = [
    (0, 30, "0–30 days"),
    (31, 90, "31–90 days"),
    (91, 180, "91–180 days"),
    (181, None, "over 180 days"),
]


@register
class StockAgingReport(Report):
    slug = "stock-aging"
    title = "Stock aging"
    group = "Inventory"
    description = (
        "How long stock on hand has been here, from the open FIFO cost layers (the date of the "
        "receipt that brought each unit), in age buckets, with value."
    )
    landscape = True
    default_sort = "-value"
    columns = [
        Column("sku", "SKU"),
        Column("product", "Product"),
        *[Column(f"qty_{i}", label, "qty", total=True) for i, (_, _, label) in enumerate(BUCKETS)],
        Column("quantity", "On hand (layers)", "qty", total=True),
        Column("value", "Value", "money", total=True),
        Column("oldest", "Oldest receipt", "date"),
    ]

    def rows(self, params, sort=""):
        from apps.inventory.models import CostLayer

        today = timezone.localdate()
        qs = CostLayer.objects.filter(remaining__gt=0)
        aggregates = {}
        for i, (low, high, _) in enumerate(BUCKETS):
            newest = today - dt.timedelta(days=low)
            condition = Q(move__created_at__date__lte=newest)
            if high is not None:
                condition &= Q(move__created_at__date__gt=today - dt.timedelta(days=high + 1))
            aggregates[f"qty_{i}"] = Sum(
                Case(When(condition, then=F("remaining")), default=ZERO, output_field=MONEY)
            )
        grouped = qs.values("variant_id", "variant__sku", "variant__product__name").annotate(
            quantity=Sum("remaining"),
            value_calc=Sum(F("remaining") * F("unit_cost"), output_field=MONEY),
            oldest_calc=Min("move__created_at"),
            **aggregates,
        )
        fields = {"sku": "variant__sku", "product": "variant__product__name", "value": "value_calc",
                  "oldest": "oldest_calc"}  # fmt: skip
        key, descending = self.sort_key(sort)
        grouped = grouped.order_by(("-" if descending else "") + fields.get(key, key), "variant_id")
        for r in grouped.iterator(chunk_size=2000):
            row = {
                "sku": r["variant__sku"],
                "product": r["variant__product__name"],
                "quantity": r["quantity"],
                "value": r["value_calc"],
                "oldest": timezone.localtime(r["oldest_calc"]).date() if r["oldest_calc"] else None,
            }
            row.update({f"qty_{i}": r[f"qty_{i}"] for i in range(len(BUCKETS))})
            yield row
