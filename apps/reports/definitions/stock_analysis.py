"""Inventory analysis: turnover and days of supply, dead stock, ABC/XYZ, low stock and reorder.

*Consumption* is what left stock to customers: shipments and marketplace syncs (negative
quantities of kind ``shipment`` or ``sync``). Transfers, adjustments and counts are not demand.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from decimal import Decimal

from django import forms
from django.db.models import DecimalField, F, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.reports.base import Column, Report
from apps.reports.dates import DateRangeForm
from apps.reports.definitions.inventory import WarehouseForm, _warehouse_choices
from apps.reports.registry import register

MONEY = DecimalField(max_digits=20, decimal_places=4)
ZERO = Decimal(0)
CONSUMPTION_KINDS = ("shipment", "sync")


def consumption() -> Q:
    return Q(kind__in=CONSUMPTION_KINDS, quantity__lt=0)


def local_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def sort_rows(report: Report, rows: list[dict], sort: str) -> list[dict]:
    """Sort computed rows in Python; empty values last whatever the direction."""
    key, descending = report.sort_key(sort)
    present = [r for r in rows if r.get(key) is not None]
    missing = [r for r in rows if r.get(key) is None]
    present.sort(key=lambda r: (r[key], r.get("sku", "")), reverse=descending)
    return present + missing


class PeriodWarehouseForm(DateRangeForm):
    warehouse = forms.ChoiceField(required=False, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = _warehouse_choices()


@register
class TurnoverReport(Report):
    slug = "turnover"
    title = "Inventory turnover and days of supply"
    group = "Inventory"
    description = (
        "Per variant over a period: cost of what was consumed (shipped or sold through a "
        "channel), average stock value (opening + closing ÷ 2, from the ledger), turnover "
        "(consumed cost ÷ average value) and days of supply (closing stock ÷ daily consumption)."
    )
    form_class = PeriodWarehouseForm
    landscape = True
    default_sort = "-turnover"
    columns = [
        Column("sku", "SKU"),
        Column("product", "Product"),
        Column("opening_qty", "Opening qty", "qty", total=True),
        Column("closing_qty", "Closing qty", "qty", total=True),
        Column("consumed", "Consumed qty", "qty", total=True),
        Column("cogs", "Consumed at cost", "money", total=True),
        Column("average_value", "Average stock value", "money", total=True),
        Column("turnover", "Turnover", "ratio", total=True),
        Column("days_of_supply", "Days of supply", "ratio"),
    ]

    def rows(self, params, sort=""):
        from apps.inventory.models import StockMove

        start = local_start(params["date_from"])
        end = local_start(params["date_to"] + dt.timedelta(days=1))
        days = (params["date_to"] - params["date_from"]).days + 1
        qs = StockMove.objects.filter(created_at__lt=end)
        if params.get("warehouse"):
            qs = qs.filter(location__warehouse_id=params["warehouse"])
        value = F("quantity") * F("unit_cost")
        before = Q(created_at__lt=start)
        used = consumption() & Q(created_at__gte=start)
        grouped = (
            qs.values("variant_id", "variant__sku", "variant__product__name")
            .annotate(
                opening_qty=Coalesce(Sum("quantity", filter=before), ZERO),
                opening_value=Coalesce(Sum(value, filter=before, output_field=MONEY), ZERO),
                closing_qty=Sum("quantity"),
                closing_value=Sum(value, output_field=MONEY),
                consumed=Coalesce(-Sum("quantity", filter=used), ZERO),
                cogs=Coalesce(-Sum(value, filter=used, output_field=MONEY), ZERO),
            )
            .order_by("variant__sku")
        )
        rows = []
        for r in grouped:
            if not (r["opening_qty"] or r["closing_qty"] or r["consumed"]):
                continue
            average = (r["opening_value"] + r["closing_value"]) / 2
            daily = r["consumed"] / days
            rows.append(
                {
                    "sku": r["variant__sku"],
                    "product": r["variant__product__name"],
                    "opening_qty": r["opening_qty"],
                    "closing_qty": r["closing_qty"],
                    "consumed": r["consumed"],
                    "cogs": r["cogs"],
                    "average_value": average,
                    "turnover": (r["cogs"] / average) if average > 0 else None,
                    "days_of_supply": (r["closing_qty"] / daily) if daily > 0 else None,
                }
            )
        return sort_rows(self, rows, sort)

    def totals_add(self, sums, row):
        for key in ("opening_qty", "closing_qty", "consumed", "cogs", "average_value"):
            sums[key] += Decimal(row.get(key) or 0)

    def totals_finish(self, sums):
        average = sums["average_value"]
        sums["turnover"] = sums["cogs"] / average if average > 0 else None
        return sums


class DeadStockForm(WarehouseForm):
    days = forms.IntegerField(
        min_value=1, max_value=3650, initial=90, required=False, label="No sales for (days)"
    )

    def clean_days(self):
        return self.cleaned_data.get("days") or 90


@register
class DeadStockReport(Report):
    slug = "dead-stock"
    title = "Dead stock"
    group = "Inventory"
    description = (
        "Variants with stock on hand and no consumption (shipments or channel sales) in the "
        "last N days, with their value at average cost and the date of the last sale."
    )
    form_class = DeadStockForm
    default_sort = "-value"
    columns = [
        Column("sku", "SKU"),
        Column("product", "Product"),
        Column("on_hand", "On hand", "qty", total=True),
        Column("unit_cost", "Average cost", "money"),
        Column("value", "Value", "money", total=True),
        Column("last_sale", "Last consumption", "date"),
        Column("idle_days", "Days without consumption", "int"),
    ]

    def rows(self, params, sort=""):
        from apps.catalog.models import Variant
        from apps.inventory.models import StockLevel, StockMove

        today = timezone.localdate()
        cutoff = local_start(today - dt.timedelta(days=params["days"] - 1))
        levels = StockLevel.objects.filter(variant=OuterRef("pk"))
        if params.get("warehouse"):
            levels = levels.filter(location__warehouse_id=params["warehouse"])
        on_hand = Subquery(
            levels.order_by().values("variant").annotate(t=Sum("on_hand")).values("t"),
            output_field=MONEY,
        )
        moves = StockMove.objects.filter(variant=OuterRef("pk"))
        if params.get("warehouse"):  # sales from that warehouse only
            moves = moves.filter(location__warehouse_id=params["warehouse"])
        last = Subquery(
            moves.filter(consumption())
            .order_by()
            .values("variant")
            .annotate(t=Max("created_at"))
            .values("t")
        )
        first = Subquery(
            moves.filter(quantity__gt=0).order_by("created_at").values("created_at")[:1]
        )
        qs = (
            Variant.objects.annotate(
                stock=Coalesce(on_hand, Value(ZERO, output_field=MONEY)),
                last_sale=last,
                first_in=first,
                unit_cost=Coalesce(F("cost__average_cost"), Value(ZERO, output_field=MONEY)),
            )
            .filter(stock__gt=0)
            .filter(Q(last_sale__lt=cutoff) | Q(last_sale__isnull=True, first_in__lt=cutoff))
            .values("sku", "product__name", "stock", "last_sale", "first_in", "unit_cost")
        )
        rows = []
        for r in qs:
            since = r["last_sale"] or r["first_in"]
            rows.append(
                {
                    "sku": r["sku"],
                    "product": r["product__name"],
                    "on_hand": r["stock"],
                    "unit_cost": r["unit_cost"],
                    "value": r["stock"] * r["unit_cost"],
                    "last_sale": timezone.localtime(r["last_sale"]).date()
                    if r["last_sale"]
                    else None,
                    "idle_days": (today - timezone.localtime(since).date()).days,
                }
            )
        return sort_rows(self, rows, sort)


def abc_class(share_before: Decimal) -> str:
    """A: the items making the first 80 % of consumption value; B: the next 15 %; C: the rest.
    ``share_before`` is the cumulative share of the items ranked above this one, so the item
    that crosses a boundary still belongs to the class it starts in."""
    if share_before < 80:
        return "A"
    if share_before < 95:
        return "B"
    return "C"


def xyz_class(weekly: list[Decimal]) -> tuple[Decimal | None, str]:
    """Coefficient of variation of weekly demand (population standard deviation ÷ mean):
    X below 0.5 (steady), Y below 1.0, Z otherwise or without demand."""
    mean = sum(weekly) / len(weekly) if weekly else ZERO
    if mean <= 0:
        return None, "Z"
    cv = Decimal(str(statistics.pstdev([float(w) for w in weekly]))) / mean
    cv = cv.quantize(Decimal("0.01"))
    return cv, "X" if cv < Decimal("0.5") else "Y" if cv < 1 else "Z"


@register
class AbcXyzReport(Report):
    slug = "abc-xyz"
    title = "ABC / XYZ analysis"
    group = "Inventory"
    description = (
        "ABC by consumption value in the period (A: first 80 %, B: next 15 %, C: the rest); "
        "XYZ by the coefficient of variation of weekly consumption (X < 0.5, Y < 1, Z above "
        "or no demand)."
    )
    form_class = DateRangeForm
    landscape = True
    default_sort = "-value"
    columns = [
        Column("sku", "SKU"),
        Column("product", "Product"),
        Column("quantity", "Consumed qty", "qty", total=True),
        Column("value", "Consumption value", "money", total=True),
        Column("share", "Share", "percent", total=True),
        Column("cumulative", "Cumulative share", "percent"),
        Column("abc", "ABC"),
        Column("cv", "Weekly CV", "ratio"),
        Column("xyz", "XYZ"),
        Column("class", "Class"),
    ]

    def rows(self, params, sort=""):
        from apps.inventory.models import StockMove

        start_day = params["date_from"]
        start = local_start(start_day)
        end = local_start(params["date_to"] + dt.timedelta(days=1))
        weeks = math.ceil(((params["date_to"] - start_day).days + 1) / 7)
        moves = (
            StockMove.objects.filter(consumption(), created_at__gte=start, created_at__lt=end)
            .values("variant_id", "variant__sku", "variant__product__name", "created_at")
            .annotate(q=-F("quantity"), v=-F("quantity") * F("unit_cost"))
            .values_list("variant_id", "variant__sku", "variant__product__name", "created_at", "q", "v")
        )  # fmt: skip
        items: dict[int, dict] = {}
        weekly: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO] * weeks)
        for vid, sku, name, when, qty, value in moves.iterator(chunk_size=5000):
            item = items.setdefault(
                vid, {"sku": sku, "product": name, "quantity": ZERO, "value": ZERO}
            )
            item["quantity"] += qty
            item["value"] += value
            week = (timezone.localtime(when).date() - start_day).days // 7
            weekly[vid][min(week, weeks - 1)] += qty
        total = sum((i["value"] for i in items.values()), ZERO)
        ranked = sorted(items.items(), key=lambda kv: (-kv[1]["value"], kv[1]["sku"]))
        rows, running = [], ZERO
        for vid, item in ranked:
            share = item["value"] * 100 / total if total else ZERO
            before = running
            running += share
            cv, xyz = xyz_class(weekly[vid])
            abc = abc_class(before)
            rows.append({**item, "share": share, "cumulative": running, "abc": abc, "cv": cv,
                         "xyz": xyz, "class": abc + xyz})  # fmt: skip
        return sort_rows(self, rows, sort)


class LowStockForm(WarehouseForm):
    search = forms.CharField(required=False, label="SKU or name")


@register
class LowStockReport(Report):
    slug = "low-stock"
    title = "Low stock and reorder"
    group = "Inventory"
    description = (
        "What is at or below its reorder point (the variant's own, or a warehouse's rule), with "
        "the quantity to order to get back above it plus the safety stock."
    )
    form_class = LowStockForm
    default_sort = "on_hand"
    columns = [
        Column("sku", "SKU"),
        Column("product", "Product"),
        Column("warehouse", "Warehouse"),
        Column("on_hand", "On hand", "qty", total=True),
        Column("point", "Reorder point", "qty"),
        Column("suggested", "Suggested order", "qty", total=True),
    ]

    def rows(self, params, sort=""):
        from apps.inventory.selectors import low_stock

        key, descending = self.sort_key(sort)
        keys = {"point": "on_hand"}  # the selector sorts by its own keys
        selector_sort = ("-" if descending else "") + keys.get(key, key)
        for r in low_stock(
            search=(params.get("search") or "").strip(),
            warehouse_id=int(params["warehouse"]) if params.get("warehouse") else None,
            sort=selector_sort,
        ):
            yield {
                "sku": r["variant_sku"],
                "product": r["product_name"],
                "warehouse": r["warehouse_code"] or "All (pooled)",
                "on_hand": r["on_hand"],
                "point": r["point"],
                "suggested": r["suggested"],
            }
