"""Reads of cycle counts for the pages and the count sheet; each a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Abs, Coalesce

from apps.inventory.models import StockCount, StockCountLine, VariantCost

QTY = DecimalField(max_digits=14, decimal_places=3)
MONEY = DecimalField(max_digits=20, decimal_places=4)
ZERO = Decimal("0")

COUNT_SORTS = {
    "number": "id",
    "warehouse": "warehouse__code",
    "status": "status",
    "created": "created_at",
    "lines": "line_count",
}
LINE_SORTS = {
    "location": ("location__code", "variant__sku"),
    "sku": ("variant__sku", "location__code"),
    "variance": ("abs_variance", "variant__sku"),
    "value": ("abs_value", "variant__sku"),
}


def stock_counts(*, search: str = "", status: str = "", sort: str = "-created") -> QuerySet:
    qs = StockCount.objects.select_related("warehouse", "zone", "category", "created_by").annotate(
        line_count=Count("lines"),
        counted_count=Count("lines", filter=Q(lines__counted_quantity__isnull=False)),
    )
    if status in StockCount.Status.values:
        qs = qs.filter(status=status)
    if search:
        term = search.strip()
        number = term.upper().removeprefix("SC-")
        condition = (
            Q(warehouse__code__icontains=term)
            | Q(warehouse__name__icontains=term)
            | Q(note__icontains=term)
            | Q(zone__code__icontains=term)
        )
        if number.isdigit():
            condition |= Q(pk=int(number))
        qs = qs.filter(condition)
    descending = sort.startswith("-")
    field = COUNT_SORTS.get(sort.lstrip("-"), "created_at")
    return qs.order_by(("-" if descending else "") + field, "-id")


def _unit_cost():
    """The cost a variance is valued at: what posting booked, else today's average cost,
    else the variant's cost price."""
    average = Subquery(
        VariantCost.objects.filter(variant_id=OuterRef("variant_id")).values("average_cost")[:1]
    )
    return Coalesce(
        F("unit_cost"), average, F("variant__cost_price"), Value(ZERO), output_field=MONEY
    )


def count_lines(
    *,
    count: StockCount,
    search: str = "",
    show: str = "all",
    location_id: int | None = None,
    sort: str = "location",
) -> QuerySet[StockCountLine]:
    variance = ExpressionWrapper(F("counted_quantity") - F("snapshot_quantity"), output_field=QTY)
    qs = (
        StockCountLine.objects.filter(count=count)
        .select_related("variant__product", "location", "counted_by")
        .annotate(cost=_unit_cost())
        .annotate(
            variance_qty=variance,
            value_impact=ExpressionWrapper(variance * F("cost"), output_field=MONEY),
        )
        .annotate(
            abs_variance=Coalesce(Abs(F("variance_qty")), Value(ZERO), output_field=QTY),
            abs_value=Coalesce(Abs(F("value_impact")), Value(ZERO), output_field=MONEY),
        )
    )
    if search:
        qs = qs.filter(
            Q(variant__sku__icontains=search)
            | Q(variant__barcode=search)
            | Q(variant__product__name__icontains=search)
        )
    if location_id:
        qs = qs.filter(location_id=location_id)
    if show == "uncounted":
        qs = qs.filter(counted_quantity__isnull=True)
    elif show == "counted":
        qs = qs.filter(counted_quantity__isnull=False)
    elif show == "variances":
        qs = qs.filter(counted_quantity__isnull=False).exclude(
            counted_quantity=F("snapshot_quantity")
        )
    descending = sort.startswith("-")
    fields = LINE_SORTS.get(sort.lstrip("-"), LINE_SORTS["location"])
    prefix = "-" if descending else ""
    return qs.order_by(*(prefix + f for f in fields), "pk")


def count_totals(*, count: StockCount) -> dict:
    """Lines, counted lines, lines with a variance, net quantity and value of the variances,
    with gains and losses apart."""
    qs = StockCountLine.objects.filter(count=count).annotate(cost=_unit_cost())
    variance = F("counted_quantity") - F("snapshot_quantity")
    value = ExpressionWrapper(variance * F("cost"), output_field=MONEY)
    counted = Q(counted_quantity__isnull=False)
    differs = counted & ~Q(counted_quantity=F("snapshot_quantity"))
    totals = qs.aggregate(
        lines=Count("pk"),
        counted=Count("pk", filter=counted),
        variances=Count("pk", filter=differs),
        net_quantity=Coalesce(Sum(variance, filter=counted, output_field=QTY), Value(ZERO)),
        gain_value=Coalesce(
            Sum(value, filter=counted & Q(counted_quantity__gt=F("snapshot_quantity"))),
            Value(ZERO),
            output_field=MONEY,
        ),
        loss_value=Coalesce(
            Sum(value, filter=counted & Q(counted_quantity__lt=F("snapshot_quantity"))),
            Value(ZERO),
            output_field=MONEY,
        ),
    )
    totals["net_value"] = totals["gain_value"] + totals["loss_value"]
    totals["uncounted"] = totals["lines"] - totals["counted"]
    return totals
