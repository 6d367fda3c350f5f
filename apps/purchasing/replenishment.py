"""Reorder suggestions: what to buy, per variant and warehouse, and turning them into drafts.

For each (variant, warehouse):

    position  = available (on hand − reserved) + on order − expected demand over the lead time
                (when the company's reorder values are forecast-driven, the reorder point
                already holds the lead-time demand, so it is not subtracted again:
                position = available + on order, the textbook inventory position)
    suggested when position ≤ reorder point (variants with neither a reorder point nor
    expected demand are left out)
    quantity  = max(reorder quantity, reorder point + safety stock − position),
                (no reorder quantity: the economic order quantity from the company's
                ordering cost and holding cost rate)
                raised to the supplier's minimum order quantity,
                rounded up to a whole number of the supplier's packs

Worked example (tests/purchasing/test_replenishment.py): available 8, on order 10,
1.5 a day over a 10-day lead time → position 3; reorder point 20, safety stock 0 →
shortfall 17 ≥ reorder quantity 12; MOQ 24 → 24; packs of 10 → 30.

Lead time: the variant's own, else the supplier item's, else the supplier's actual
average (from received purchase orders, once there are three), else the supplier's
default. Demand over the lead time comes from the latest fresh forecast (apps/forecasting,
at most three days old: the sum of the forecast days within the lead time, shared between
warehouses by their last 90 days of shipments); without one, from
``selectors.expected_daily_demand`` (the 90-day average) — ``demand_source`` says which.
Everything is read in a fixed number of queries, then worked out in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.db import transaction
from django.db.models import F, Sum

from apps.catalog.models import Supplier, SupplierItem, Variant
from apps.forecasting.selectors import demand_over, forecast_demand
from apps.inventory.models import StockLevel, Warehouse
from apps.purchasing.config import purchasing_settings
from apps.purchasing.errors import PurchasingError
from apps.purchasing.models import PurchaseOrder, PurchaseOrderLine
from apps.purchasing.selectors import expected_daily_demand
from apps.purchasing.services import LineInput, purchase_order_create

ZERO = Decimal("0")
MIN_ORDERS_FOR_ACTUAL_LEAD_TIME = 3


@dataclass
class Suggestion:
    variant: Variant
    warehouse: Warehouse
    supplier: Supplier | None
    item: SupplierItem | None
    available: Decimal
    on_order: Decimal
    daily_demand: Decimal
    lead_time_days: int
    demand_over_lead_time: Decimal
    position: Decimal
    reorder_point: Decimal
    quantity: Decimal
    unit_cost: Decimal
    notes: list[str] = field(default_factory=list)
    demand_source: str = "90-day average"

    @property
    def key(self) -> str:
        return f"{self.variant.pk}-{self.warehouse.pk}"

    @property
    def value(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"))


def round_order_quantity(
    quantity: Decimal, *, minimum: Decimal = ZERO, pack_size: Decimal = Decimal("1")
) -> Decimal:
    """Raise to the MOQ, then round up to whole packs."""
    quantity = max(Decimal(quantity), Decimal(minimum or 0))
    pack = Decimal(pack_size or 1)
    if pack <= 0:
        pack = Decimal("1")
    packs = (quantity / pack).to_integral_value(rounding=ROUND_CEILING)
    return (packs * pack).normalize()


def suggested_quantity(
    *,
    position: Decimal,
    reorder_point: Decimal,
    reorder_quantity: Decimal,
    safety_stock: Decimal = ZERO,
    minimum: Decimal = ZERO,
    pack_size: Decimal = Decimal("1"),
) -> Decimal:
    shortfall = reorder_point + safety_stock - position
    return round_order_quantity(
        max(reorder_quantity, shortfall, ZERO), minimum=minimum, pack_size=pack_size
    )


def economic_order_quantity(
    *, daily_demand: Decimal, unit_cost: Decimal, ordering_cost: Decimal, holding_cost_rate: Decimal
) -> Decimal:
    """EOQ = √(2 × yearly demand × cost of an order ÷ yearly cost of holding one unit);
    used when a variant has no reorder quantity of its own. 0 when it cannot be worked out."""
    holding = Decimal(unit_cost) * Decimal(holding_cost_rate) / 100
    yearly = Decimal(daily_demand) * 365
    if holding <= 0 or yearly <= 0 or ordering_cost <= 0:
        return ZERO
    return (
        (2 * yearly * Decimal(ordering_cost) / holding)
        .sqrt()
        .to_integral_value(rounding=ROUND_CEILING)
    )


def actual_lead_times() -> dict[int, Decimal]:
    """Average days from ordering to full receipt per supplier (three orders or more)."""
    from apps.purchasing.vendor_performance import lead_time_stats

    return {
        supplier_id: stats.average
        for supplier_id, stats in lead_time_stats().items()
        if stats.count >= MIN_ORDERS_FOR_ACTUAL_LEAD_TIME
    }


def _on_order() -> dict[tuple[int, int], Decimal]:
    rows = (
        PurchaseOrderLine.objects.filter(order__status__in=PurchaseOrder.OPEN)
        .filter(quantity__gt=F("received_quantity"))
        .order_by()
        .values_list("variant_id", "order__warehouse_id")
        .annotate(outstanding=Sum(F("quantity") - F("received_quantity")))
    )
    return {(v, w): q for v, w, q in rows}


def reorder_suggestions(
    *, warehouse_id: int | None = None, supplier_id: int | None = None, search: str = ""
) -> list[Suggestion]:
    levels = (
        StockLevel.objects.filter(location__warehouse__is_active=True)
        .order_by()
        .values_list("variant_id", "location__warehouse_id")
        .annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    )
    stock = {(v, w): (on_hand, reserved) for v, w, on_hand, reserved in levels}
    on_order = _on_order()
    demand = expected_daily_demand()
    forecast = forecast_demand()
    shares = _warehouse_shares(demand, stock)
    pairs = set(stock) | set(on_order) | set(demand)
    if warehouse_id:
        pairs = {p for p in pairs if p[1] == warehouse_id}
    variants_qs = Variant.objects.filter(
        pk__in={v for v, _ in pairs}, is_active=True, product__is_active=True
    ).select_related("product")
    if search:
        variants_qs = variants_qs.filter(sku__icontains=search) | variants_qs.filter(
            product__name__icontains=search
        )
    variants = {v.pk: v for v in variants_qs}
    items = {
        item.variant_id: item
        for item in SupplierItem.objects.filter(
            variant_id__in=list(variants), is_preferred=True
        ).select_related("supplier")
    }
    warehouses = Warehouse.objects.in_bulk({w for _, w in pairs})
    actual = actual_lead_times()
    settings = purchasing_settings()
    from apps.forecasting.config import forecast_settings_read
    from apps.forecasting.models import ForecastSettings

    # Forecast-driven reorder points include the lead-time demand (apps/forecasting policies).
    forecast_driven = forecast_settings_read().reorder_mode == ForecastSettings.ReorderMode.FORECAST

    suggestions = []
    for variant_id, wh_id in pairs:
        variant = variants.get(variant_id)
        warehouse = warehouses.get(wh_id)
        if variant is None or warehouse is None or not warehouse.is_active:
            continue
        item = items.get(variant_id)
        supplier = item.supplier if item else None
        if supplier_id and (supplier is None or supplier.pk != supplier_id):
            continue
        on_hand, reserved = stock.get((variant_id, wh_id), (ZERO, ZERO))
        lead = _lead_time(variant, item, actual)
        source = "90-day average"
        if variant_id in forecast:
            source = "forecast"
            share = shares.get((variant_id, wh_id), ZERO)
            over_lead = (demand_over(forecast[variant_id], lead) * share).quantize(Decimal("0.001"))
            daily = (over_lead / lead).quantize(Decimal("0.0001")) if lead else ZERO
        else:
            daily = demand.get((variant_id, wh_id), ZERO)
            over_lead = (daily * lead).quantize(Decimal("0.001"))
        if variant.reorder_point <= 0 and daily <= 0:
            continue
        available = on_hand - reserved
        incoming = on_order.get((variant_id, wh_id), ZERO)
        position = available + incoming - (ZERO if forecast_driven else over_lead)
        if position > variant.reorder_point:
            continue
        unit_cost = item.cost if item else variant.cost_price
        quantity = suggested_quantity(
            position=position,
            reorder_point=variant.reorder_point,
            reorder_quantity=variant.reorder_quantity
            or economic_order_quantity(
                daily_demand=daily,
                unit_cost=unit_cost,
                ordering_cost=settings.ordering_cost,
                holding_cost_rate=settings.holding_cost_rate,
            ),
            safety_stock=variant.safety_stock,
            minimum=item.minimum_order_quantity if item else ZERO,
            pack_size=item.pack_size if item else Decimal("1"),
        )
        if quantity <= 0:
            continue
        suggestions.append(
            Suggestion(
                variant=variant,
                warehouse=warehouse,
                supplier=supplier,
                item=item,
                available=available,
                on_order=incoming,
                daily_demand=daily,
                lead_time_days=lead,
                demand_over_lead_time=over_lead,
                position=position,
                reorder_point=variant.reorder_point,
                quantity=quantity,
                unit_cost=unit_cost,
                demand_source=source,
            )
        )
    suggestions.sort(
        key=lambda s: (
            s.supplier is None,
            s.supplier.name if s.supplier else "",
            s.variant.sku,
            s.warehouse.code,
        )
    )
    return suggestions


def _warehouse_shares(demand, stock) -> dict[tuple[int, int], Decimal]:
    """Each warehouse's share of a variant's pooled forecast: its share of the last 90 days
    of shipments; a variant that shipped nothing is shared by where it is stocked."""
    shipped: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for (v, _w), daily in demand.items():
        shipped[v] += daily
    shares = {(v, w): daily / shipped[v] for (v, w), daily in demand.items() if shipped[v] > 0}
    stocked: dict[int, list[int]] = defaultdict(list)
    for v, w in stock:
        if shipped[v] <= 0:
            stocked[v].append(w)
    for v, warehouses in stocked.items():
        for w in warehouses:
            shares[(v, w)] = Decimal(1) / len(warehouses)
    return shares


def _lead_time(variant: Variant, item: SupplierItem | None, actual: dict[int, Decimal]) -> int:
    if variant.lead_time_days:
        return variant.lead_time_days
    if item and item.lead_time_days:
        return item.lead_time_days
    if item and item.supplier_id in actual:
        return int(actual[item.supplier_id].to_integral_value(rounding=ROUND_CEILING))
    if item:
        return item.supplier.default_lead_time_days
    return 14


@dataclass(frozen=True)
class Pick:
    variant_id: int
    warehouse_id: int
    quantity: Decimal


def purchase_orders_from_suggestions(
    *, picks: Sequence[Pick], user=None, rates: dict[str, Decimal] | None = None
) -> list[PurchaseOrder]:
    """One draft per preferred supplier (and destination warehouse) for the chosen lines.
    ``rates`` gives today's exchange rate for suppliers in another currency."""
    if not picks:
        raise PurchasingError("Choose at least one suggestion.")
    items = {
        item.variant_id: item
        for item in SupplierItem.objects.filter(
            variant_id__in=[p.variant_id for p in picks], is_preferred=True
        ).select_related("supplier", "variant")
    }
    groups: dict[tuple[int, int], list[Pick]] = defaultdict(list)
    for pick in picks:
        item = items.get(pick.variant_id)
        if item is None:
            sku = Variant.objects.filter(pk=pick.variant_id).values_list("sku", flat=True).first()
            raise PurchasingError(
                f"{sku or 'A variant'} has no preferred supplier; choose one in the catalog first."
            )
        groups[(item.supplier_id, pick.warehouse_id)].append(pick)
    warehouses = Warehouse.objects.in_bulk({w for _, w in groups})
    orders = []
    with transaction.atomic():
        for (_supplier_id, warehouse_id), group in sorted(groups.items()):
            supplier = items[group[0].variant_id].supplier
            orders.append(
                purchase_order_create(
                    supplier=supplier,
                    warehouse=warehouses[warehouse_id],
                    lines=[LineInput(p.variant_id, p.quantity) for p in group],
                    exchange_rate=(rates or {}).get(supplier.currency),
                    notes="From reorder suggestions.",
                    user=user,
                )
            )
    return orders
