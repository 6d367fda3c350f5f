"""Reads of sales that views, the API and jobs share. Lists are a fixed number of queries
whatever their length."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Upper

from apps.sales.models import (
    Customer,
    Invoice,
    SalesOrder,
    SalesOrderEvent,
    SalesOrderLine,
    SalesReturn,
    Shipment,
    ShipmentLine,
)

ORDER_SORTS = {
    "number": "number",
    "customer": "customer__name",
    "status": "status",
    "total": "total",
    "ordered": "order_date",
    "promised": "promised_date",
    "channel": "channel",
}
OPEN_TAB = "open"


def sales_orders(
    *,
    search: str = "",
    status: str = "",
    customer_id: int | None = None,
    warehouse_id: int | None = None,
    channel: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    sort: str = "-ordered",
) -> QuerySet[SalesOrder]:
    """Orders for the list with customer, warehouse and line count in one query.

    Built to stay fast on 100,000 orders: the line count is a correlated subquery that
    PostgreSQL evaluates only for the page it returns (not an aggregate over every order),
    and the search's customer, SKU and tracking parts are ``IN`` subqueries it hashes once,
    so no row is repeated and no DISTINCT is needed."""
    lines = (
        SalesOrderLine.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = SalesOrder.objects.select_related("customer", "warehouse").annotate(
        line_count=Coalesce(Subquery(lines, output_field=IntegerField()), 0)
    )
    if search:
        qs = qs.alias(number_upper=Upper("number")).filter(_search_filter(search))
    if status == OPEN_TAB:
        qs = qs.filter(status__in=SalesOrder.OPEN)
    elif status == "backordered":
        qs = qs.filter(
            status__in=SalesOrder.OPEN,
            pk__in=SalesOrderLine.objects.filter(quantity__gt=_shipped_plus_allocated()).values(
                "order_id"
            ),
        )
    elif status in SalesOrder.Status.values:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if warehouse_id:
        qs = qs.filter(
            Q(warehouse_id=warehouse_id)
            | Q(pk__in=Shipment.objects.filter(warehouse_id=warehouse_id).values("order_id"))
        )
    if channel in SalesOrder.Channel.values:
        qs = qs.filter(channel=channel)
    if date_from:
        qs = qs.filter(order_date__gte=date_from)
    if date_to:
        qs = qs.filter(order_date__lte=date_to)
    descending = sort.startswith("-")
    field = ORDER_SORTS.get(sort.lstrip("-"), "order_date")
    return qs.order_by(("-" if descending else "") + field, "-id")


def _search_filter(search: str) -> Q:
    """What a search matches, built so PostgreSQL can answer it from indexes.

    The customers (name contains), variants (SKU), shipments (tracking number) and order
    lines that match are looked up first, in small indexed queries, so every part of the
    OR is an indexed equality or ``IN`` and a search never walks 100,000 orders. Order
    numbers match whole (``so-000123``) or by their digits (``123`` finds ``SO-000123``
    under the current prefix); the customer's reference matches whole."""
    from apps.catalog.models import Variant
    from apps.sales.config import sales_settings

    text = search.strip()
    numbers = {text.upper()}
    if text.isdigit():
        numbers.add(f"{sales_settings().order_prefix}{int(text):06d}".upper())
    match = Q(number_upper__in=numbers) | Q(customer_reference=text)
    customer_ids = list(
        Customer.objects.filter(name__icontains=text).values_list("pk", flat=True)[:1000]
    )
    if customer_ids:
        match |= Q(customer_id__in=customer_ids)
    variant_ids = list(Variant.objects.filter(sku__iexact=text).values_list("pk", flat=True))
    if variant_ids:
        with_sku = SalesOrderLine.objects.filter(variant_id__in=variant_ids).values_list(
            "order_id", flat=True
        )
        few = list(with_sku[:2001])
        # A rare SKU: its orders by id (indexed). A common one: a subquery; then most
        # orders match and the newest page is found at once anyway.
        match |= Q(pk__in=few) if len(few) <= 2000 else Q(pk__in=with_sku)
    shipped = list(
        Shipment.objects.filter(tracking_number__in={text, text.upper()}).values_list(
            "order_id", flat=True
        )[:1000]
    )
    if shipped:
        match |= Q(pk__in=shipped)
    return match


def _shipped_plus_allocated():
    from django.db.models import F

    return F("shipped_quantity") + F("allocated_quantity")


STATUS_COUNTS_CACHE_KEY = "sales:status-counts"


def status_counts() -> dict[str, int]:
    """How many orders are in each status (for the tabs), in one query, cached per company
    for a minute: on 100,000 orders the count is the slowest part of the list page. Every
    status change writes a timeline event, and ``event_add`` drops this cache."""
    from django.core.cache import cache

    return cache.get_or_set(STATUS_COUNTS_CACHE_KEY, _status_counts, 60)


def status_counts_forget() -> None:
    from django.core.cache import cache

    cache.delete(STATUS_COUNTS_CACHE_KEY)


def _status_counts() -> dict[str, int]:
    counts = dict(SalesOrder.objects.order_by().values_list("status").annotate(n=Count("id")))
    counts[OPEN_TAB] = sum(counts.get(s, 0) for s in SalesOrder.OPEN)
    counts["all"] = sum(v for k, v in counts.items() if k != OPEN_TAB)
    return counts


def sales_order_detail(pk: int) -> SalesOrder:
    return (
        SalesOrder.objects.select_related("customer", "warehouse", "created_by")
        .prefetch_related(
            Prefetch("lines", queryset=SalesOrderLine.objects.select_related("variant__product")),
            Prefetch(
                "shipments",
                queryset=Shipment.objects.select_related("warehouse").prefetch_related(
                    Prefetch(
                        "lines",
                        queryset=ShipmentLine.objects.select_related(
                            "order_line__variant", "location"
                        ),
                    ),
                    "invoices",
                ),
            ),
            Prefetch("invoices", queryset=Invoice.objects.order_by("issue_date", "id")),
            Prefetch("returns", queryset=SalesReturn.objects.prefetch_related("lines")),
        )
        .get(pk=pk)
    )


def timeline(order: SalesOrder) -> QuerySet[SalesOrderEvent]:
    return order.events.select_related("user").order_by("created_at", "id")


def stock_effects(order: SalesOrder):
    """Every ledger move this order caused: shipments and restocked returns."""
    from apps.inventory.models import StockMove

    shipment_ids = [str(s.pk) for s in order.shipments.all()]
    return_ids = [str(r.pk) for r in order.returns.all()]
    return (
        StockMove.objects.filter(
            Q(reference_type="sales_shipment", reference_id__in=shipment_ids)
            | Q(reference_type="sales_return", reference_id__in=return_ids)
        )
        .select_related("variant", "location__warehouse")
        .order_by("created_at", "id")
    )


def customer_choices(search: str = "", limit: int = 20) -> list[Customer]:
    """A minimal customer picker for the order form (the customer pages are elsewhere)."""
    qs = Customer.objects.filter(is_active=True, erased_at__isnull=True)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(email__iexact=search))
    return list(qs.order_by("name", "id").only("pk", "name", "currency")[:limit])


def variant_search(search: str, limit: int = 15) -> list:
    """Variants for the order form's search: SKU, barcode or product name, with what is
    available across warehouses (one query)."""
    from django.db.models import DecimalField, F, Sum, Value
    from django.db.models.functions import Coalesce

    from apps.catalog.models import Variant

    search = (search or "").strip()
    if len(search) < 2:
        return []
    return list(
        Variant.objects.filter(is_active=True)
        .filter(Q(sku__icontains=search) | Q(barcode=search) | Q(product__name__icontains=search))
        .select_related("product")
        .annotate(
            available=Coalesce(
                Sum(F("stock_levels__on_hand") - F("stock_levels__reserved")),
                Value(0),
                output_field=DecimalField(max_digits=14, decimal_places=3),
            )
        )
        .order_by("sku")[:limit]
    )
