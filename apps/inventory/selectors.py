"""Reads of stock that views and the API share. Each list is a fixed number of queries."""

from __future__ import annotations

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum

from apps.inventory.models import StockLevel, StockMove

_QTY = DecimalField(max_digits=14, decimal_places=3)

LEVEL_SORTS = {
    "sku": "variant__sku",
    "product": "variant__product__name",
    "location": "location__warehouse__code",
    "on_hand": "on_hand",
    "reserved": "reserved",
    "available": "available_qty",
}


def stock_levels(
    *, search: str = "", warehouse_id: int | None = None, sort: str = "sku", hide_zero: bool = True
) -> QuerySet[StockLevel]:
    qs = StockLevel.objects.select_related("variant__product", "location__warehouse").annotate(
        available_qty=F("on_hand") - F("reserved")
    )
    if search:
        qs = qs.filter(
            Q(variant__sku__icontains=search)
            | Q(variant__barcode=search)
            | Q(variant__product__name__icontains=search)
        )
    if warehouse_id:
        qs = qs.filter(location__warehouse_id=warehouse_id)
    if hide_zero:
        qs = qs.exclude(on_hand=0, reserved=0)
    descending = sort.startswith("-")
    field = LEVEL_SORTS.get(sort.lstrip("-"), "variant__sku")
    return qs.order_by(("-" if descending else "") + field, "location__code", "pk")


def movement_history(
    *,
    variant_id: int | None = None,
    location_id: int | None = None,
    kind: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet[StockMove]:
    """Moves newest first, each with the balance at its (variant, location) right after it.

    The balance is a correlated sum over the ledger of that pair up to the move
    (index ``move_variant_history``), evaluated only for the rows of the page, so
    filters on kind or date narrow what is shown without changing the balances.
    """
    earlier = StockMove.objects.filter(
        variant_id=OuterRef("variant_id"), location_id=OuterRef("location_id")
    ).filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), id__lte=OuterRef("id"))
    )
    balance = (
        earlier.order_by().values("variant_id").annotate(total=Sum("quantity")).values("total")
    )
    qs = StockMove.objects.select_related(
        "variant__product", "location__warehouse", "user"
    ).annotate(balance=Subquery(balance))
    if variant_id:
        qs = qs.filter(variant_id=variant_id)
    if location_id:
        qs = qs.filter(location_id=location_id)
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs.order_by("-created_at", "-id")


# Counting a million-row ledger for the page links took 0.2–0.4 s (a seq scan each time);
# past this many moves the history says "10000+" and the filters narrow it down.
HISTORY_COUNT_CAP = 10_000


class AtLeast(int):
    """A count that stopped at its cap: does arithmetic as the cap, prints as "10000+"."""

    def __str__(self) -> str:
        return f"{int(self)}+"


class CappedCount:
    """A queryset for ``Paginator`` whose count stops at ``cap``: ``COUNT(*)`` over a
    ``LIMIT cap + 1`` subquery of ids (no annotations), so it costs at most ``cap`` index
    entries whatever the size of the table. A page takes its ids first and then the
    annotations (the running balance) for those rows only: PostgreSQL evaluates a SELECT
    list's subqueries for every row an OFFSET skips (page 400 took 1.8 s)."""

    ordered = True

    def __init__(self, queryset: QuerySet, cap: int = HISTORY_COUNT_CAP):
        self._qs, self._cap = queryset, cap

    def count(self) -> int:
        n = self._qs.order_by().values("pk")[: self._cap + 1].count()
        return AtLeast(self._cap) if n > self._cap else n

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> QuerySet:
        if not key.start:  # the first page skips nothing: one plain query is cheaper
            return self._qs[key]
        return self._qs.filter(pk__in=Subquery(self._qs.values("pk")[key]))


LOW_STOCK_CACHE_KEY = "inventory:low-stock-count"


def low_stock(
    *, search: str = "", warehouse_id: int | None = None, sort: str = "on_hand"
) -> QuerySet:
    """What is at or below its reorder point, with a suggested order quantity: enough to
    get back above the reorder point plus the safety stock, and at least the usual
    reorder quantity.

    Rows (dicts) of two kinds, lowest stock first:
    - a variant's pooled stock (``warehouse_pk`` None): all warehouses without their
      own rule for it, against the variant's reorder point;
    - a warehouse's own rule (``ReorderRule``): that warehouse's stock against the rule.
    Two subqueries and a UNION: a fixed number of queries however many rows.
    ``warehouse_id`` keeps that warehouse's own rules and the pools it belongs to.
    """
    from django.db.models import (
        Case,
        CharField,
        Exists,
        IntegerField,
        Value,
        When,
    )
    from django.db.models.functions import Coalesce

    from apps.catalog.models import Variant
    from apps.inventory.models import ReorderRule, Warehouse

    has_rule = ReorderRule.objects.filter(
        variant_id=OuterRef("variant_id"), warehouse_id=OuterRef("location__warehouse_id")
    )
    # The pool is the variant's kept total (VariantCost.quantity, every location: one join)
    # minus the stock in warehouses with their own rule, summed only for the few variants
    # that have rules (summing every balance of every variant cost the sidebar badge
    # ~70,000 buffers at 10,000 variants).
    total = F("cost__quantity")
    ruled = Subquery(
        StockLevel.objects.filter(variant=OuterRef("pk"))
        .filter(Exists(has_rule))
        .order_by()
        .values("variant")
        .annotate(t=Sum("on_hand"))
        .values("t"),
        output_field=_QTY,
    )
    has_rules = Exists(ReorderRule.objects.filter(variant=OuterRef("pk")))
    pooled = Coalesce(total, Value(0, output_field=_QTY)) - Case(
        When(has_rules, then=Coalesce(ruled, Value(0, output_field=_QTY))),
        default=Value(0, output_field=_QTY),
        output_field=_QTY,
    )
    # At least one active warehouse still follows the variant's own values.
    has_pool = Exists(
        Warehouse.objects.filter(is_active=True).exclude(
            Exists(
                ReorderRule.objects.filter(
                    variant_id=OuterRef(OuterRef("pk")), warehouse=OuterRef("pk")
                )
            )
        )
    )
    variants = Variant.objects.filter(
        is_active=True, product__is_active=True, reorder_point__gt=0
    ).filter(has_pool)
    rules = ReorderRule.objects.filter(
        reorder_point__gt=0,
        variant__is_active=True,
        variant__product__is_active=True,
        warehouse__is_active=True,
    )
    if search:
        variants = variants.filter(
            Q(sku__icontains=search) | Q(barcode=search) | Q(product__name__icontains=search)
        )
        rules = rules.filter(
            Q(variant__sku__icontains=search)
            | Q(variant__barcode=search)
            | Q(variant__product__name__icontains=search)
        )
    if warehouse_id:
        variants = variants.exclude(
            Exists(ReorderRule.objects.filter(variant=OuterRef("pk"), warehouse_id=warehouse_id))
        )
        rules = rules.filter(warehouse_id=warehouse_id)
    variants = (
        variants.annotate(total_on_hand=pooled)
        .filter(total_on_hand__lte=F("reorder_point"))
        .order_by()
        .values(
            variant_pk=F("pk"),
            variant_sku=F("sku"),
            product_name=F("product__name"),
            warehouse_pk=Value(None, output_field=IntegerField()),
            warehouse_code=Value("", output_field=CharField()),
            on_hand=F("total_on_hand"),
            point=F("reorder_point"),
            suggested=_suggested("reorder_point", "safety_stock", "reorder_quantity"),
        )
    )
    in_warehouse = Subquery(
        StockLevel.objects.filter(
            variant_id=OuterRef("variant_id"), location__warehouse_id=OuterRef("warehouse_id")
        )
        .order_by()
        .values("variant")
        .annotate(t=Sum("on_hand"))
        .values("t"),
        output_field=_QTY,
    )
    rules = (
        rules.annotate(total_on_hand=Coalesce(in_warehouse, Value(0, output_field=_QTY)))
        .filter(total_on_hand__lte=F("reorder_point"))
        .order_by()
        .values(
            variant_pk=F("variant_id"),
            variant_sku=F("variant__sku"),
            product_name=F("variant__product__name"),
            warehouse_pk=F("warehouse_id"),
            warehouse_code=F("warehouse__code"),
            on_hand=F("total_on_hand"),
            point=F("reorder_point"),
            suggested=_suggested("reorder_point", "safety_stock", "reorder_quantity"),
        )
    )
    descending = sort.startswith("-")
    first = LOW_STOCK_SORTS.get(sort.lstrip("-"), "on_hand")
    order = [("-" if descending else "") + first] + [
        f for f in ("on_hand", "variant_sku", "warehouse_code") if f != first
    ]
    return variants.union(rules, all=True).order_by(*order)


LOW_STOCK_SORTS = {
    "on_hand": "on_hand",
    "sku": "variant_sku",
    "product": "product_name",
    "warehouse": "warehouse_code",
    "suggested": "suggested",
}


def _suggested(point: str, safety: str, usual: str):
    from django.db.models import Case, ExpressionWrapper, When
    from django.db.models.functions import Greatest

    shortfall = ExpressionWrapper(F(point) + F(safety) - F("total_on_hand"), output_field=_QTY)
    return Case(
        When(**{f"{usual}__gt": 0}, then=Greatest(F(usual), shortfall)),
        default=shortfall,
        output_field=_QTY,
    )


def low_stock_count() -> int:
    """For the sidebar badge; cached briefly (the cache key is per company)."""
    from django.core.cache import cache

    return cache.get_or_set(LOW_STOCK_CACHE_KEY, lambda: low_stock().count(), 300)
