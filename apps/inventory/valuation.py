"""Stock valuation: what the stock is worth, by moving average and by FIFO, per variant,
per warehouse or per both.

- Moving average: on hand × the variant's average cost (``VariantCost``).
- FIFO: cost layers are kept per variant for the whole company (``CostLayer``), as the
  ledger consumes them: a transfer between warehouses moves goods without changing
  what they cost, so it neither consumes nor opens a layer. A warehouse's FIFO value
  is its share of the variant's open layers: on hand × (value of the open layers ÷
  their quantity). For the variant as a whole this is exactly the value of its open
  layers. Where no layer is open (stock that went below zero and came back) the
  average cost stands in.

Every figure is computed in PostgreSQL: one query for the page, one for the totals.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
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
from django.db.models.functions import Coalesce, NullIf

from apps.inventory.models import CostLayer, StockLevel, VariantCost

MONEY = DecimalField(max_digits=24, decimal_places=6)
QTY = DecimalField(max_digits=14, decimal_places=3)
ZERO = Decimal("0")

GROUPS = {
    "variant": ("variant_id", "variant__sku", "variant__product__name"),
    "warehouse": (
        "location__warehouse_id",
        "location__warehouse__code",
        "location__warehouse__name",
    ),
    "variant_warehouse": (
        "variant_id",
        "variant__sku",
        "variant__product__name",
        "location__warehouse_id",
        "location__warehouse__code",
        "location__warehouse__name",
    ),
}
SORTS = {
    "sku": "variant__sku",
    "product": "variant__product__name",
    "warehouse": "location__warehouse__code",
    "quantity": "quantity",
    "average_value": "average_value",
    "fifo_value": "fifo_value",
}


def _average_cost():
    return Coalesce(
        Subquery(
            VariantCost.objects.filter(variant_id=OuterRef("variant_id")).values("average_cost")[:1]
        ),
        Value(ZERO),
        output_field=MONEY,
    )


def _fifo_cost():
    """Value of the variant's open layers ÷ their quantity (None when none is open)."""
    open_layers = (
        CostLayer.objects.filter(variant_id=OuterRef("variant_id"), remaining__gt=0)
        .order_by()
        .values("variant_id")
    )
    value = Subquery(
        open_layers.annotate(v=Sum(F("remaining") * F("unit_cost"))).values("v"), output_field=MONEY
    )
    quantity = Subquery(open_layers.annotate(q=Sum("remaining")).values("q"), output_field=MONEY)
    return ExpressionWrapper(value / NullIf(quantity, Value(ZERO)), output_field=MONEY)


def _levels(*, warehouse_id=None, category=None, search: str = "") -> QuerySet[StockLevel]:
    qs = StockLevel.objects.exclude(on_hand=0)
    if warehouse_id:
        qs = qs.filter(location__warehouse_id=warehouse_id)
    if category is not None:
        qs = qs.filter(variant__product__category__path__startswith=category.path)
    if search:
        qs = qs.filter(
            Q(variant__sku__icontains=search)
            | Q(variant__barcode=search)
            | Q(variant__product__name__icontains=search)
        )
    average = _average_cost()
    return qs.annotate(
        average_cost=average,
        average_line=ExpressionWrapper(F("on_hand") * average, output_field=MONEY),
        fifo_line=ExpressionWrapper(
            F("on_hand") * Coalesce(_fifo_cost(), average), output_field=MONEY
        ),
    )


def stock_valuation(
    *,
    group: str = "variant",
    warehouse_id: int | None = None,
    category=None,
    search: str = "",
    sort: str = "sku",
) -> QuerySet:
    """Rows (dicts) of quantity, moving-average value and FIFO value per group."""
    fields = GROUPS.get(group, GROUPS["variant"])
    qs = (
        _levels(warehouse_id=warehouse_id, category=category, search=search)
        .order_by()
        .values(*fields)
        .annotate(
            quantity=Sum("on_hand"),
            average_value=Sum("average_line"),
            fifo_value=Sum("fifo_line"),
        )
    )
    descending = sort.startswith("-")
    field = SORTS.get(sort.lstrip("-"), "variant__sku")
    if field not in fields and field not in ("quantity", "average_value", "fifo_value"):
        field = fields[1]
    return qs.order_by(("-" if descending else "") + field, *fields)


def stock_valuation_totals(
    *, warehouse_id: int | None = None, category=None, search: str = ""
) -> dict:
    totals = _levels(warehouse_id=warehouse_id, category=category, search=search).aggregate(
        quantity=Coalesce(Sum("on_hand"), Value(ZERO), output_field=QTY),
        average_value=Coalesce(Sum("average_line"), Value(ZERO), output_field=MONEY),
        fifo_value=Coalesce(Sum("fifo_line"), Value(ZERO), output_field=MONEY),
    )
    return totals
