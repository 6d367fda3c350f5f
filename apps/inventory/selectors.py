"""Reads of stock that views and the API share. Each list is a fixed number of queries."""

from __future__ import annotations

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum

from apps.inventory.models import StockLevel, StockMove

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


def low_stock() -> QuerySet:
    """Active variants whose stock across all locations is at or below their reorder point,
    with a suggested order quantity: enough to get back above the reorder point plus the
    safety stock, and at least the usual reorder quantity."""
    from django.db.models import Case, DecimalField, ExpressionWrapper, Value, When
    from django.db.models.functions import Coalesce, Greatest

    from apps.catalog.models import Variant

    qty = DecimalField(max_digits=14, decimal_places=3)
    on_hand = Subquery(
        StockLevel.objects.filter(variant=OuterRef("pk"))
        .order_by()
        .values("variant")
        .annotate(t=Sum("on_hand"))
        .values("t"),
        output_field=qty,
    )
    shortfall = ExpressionWrapper(
        F("reorder_point") + F("safety_stock") - F("total_on_hand"), output_field=qty
    )
    return (
        Variant.objects.filter(is_active=True, product__is_active=True, reorder_point__gt=0)
        .annotate(total_on_hand=Coalesce(on_hand, Value(0, output_field=qty)))
        .filter(total_on_hand__lte=F("reorder_point"))
        .annotate(
            suggested=Case(
                When(reorder_quantity__gt=0, then=Greatest(F("reorder_quantity"), shortfall)),
                default=shortfall,
                output_field=qty,
            )
        )
        .select_related("product")
        .order_by("total_on_hand", "sku")
    )


def low_stock_count() -> int:
    """For the sidebar badge; cached briefly (the cache key is per company)."""
    from django.core.cache import cache

    return cache.get_or_set("inventory:low-stock-count", lambda: low_stock().count(), 300)
