"""Forecast-driven reorder values: when the company chose them, each finished run writes
reorder point, safety stock and reorder quantity to its variants (the all-warehouse total)
and, for variants forecast per warehouse, to the inventory app's per-warehouse reorder
rules. Bulk writes (a fixed number of queries whatever the number of variants); only
values that changed are written."""

from __future__ import annotations

from decimal import Decimal

from apps.catalog.reorder_bulk import variants_reorder_values_set
from apps.forecasting.models import ForecastRun, ForecastSettings, PolicyResult, WarehousePolicy
from apps.inventory.reorder import reorder_rules_set_many

Q3 = Decimal("0.001")


def reorder_values_apply(*, run: ForecastRun, settings: ForecastSettings) -> int:
    """Copy the run's policies to the variants and warehouse rules; returns how many
    variants changed."""
    if settings.reorder_mode != ForecastSettings.ReorderMode.FORECAST:
        return 0
    values = {
        v: (rp.quantize(Q3), ss.quantize(Q3), q.quantize(Q3))
        for v, rp, ss, q in PolicyResult.objects.filter(run=run).values_list(
            "variant_id", "reorder_point", "safety_stock", "order_quantity"
        )
    }
    changed = variants_reorder_values_set(values=values)
    rules = {
        (v, w): (rp.quantize(Q3), q.quantize(Q3), ss.quantize(Q3))
        for v, w, rp, ss, q in WarehousePolicy.objects.filter(run=run).values_list(
            "variant_id", "warehouse_id", "reorder_point", "safety_stock", "order_quantity"
        )
    }
    reorder_rules_set_many(values=rules)
    return changed
