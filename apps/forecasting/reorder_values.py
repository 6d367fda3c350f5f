"""Forecast-driven reorder values: when the company chose them, each finished whole-catalogue
run writes reorder point, safety stock and reorder quantity to the variants, through the
catalog's ``variant_update`` (only for variants whose values changed)."""

from __future__ import annotations

from decimal import Decimal

from apps.catalog.models import Variant
from apps.catalog.services import variant_update
from apps.forecasting.models import ForecastRun, ForecastSettings, PolicyResult

Q3 = Decimal("0.001")


def reorder_values_apply(*, run: ForecastRun, settings: ForecastSettings) -> int:
    """Copy the run's policies to the variants; returns how many variants changed."""
    if settings.reorder_mode != ForecastSettings.ReorderMode.FORECAST:
        return 0
    policies = {
        p.variant_id: p
        for p in PolicyResult.objects.filter(run=run).only(
            "variant_id", "reorder_point", "safety_stock", "order_quantity"
        )
    }
    changed = 0
    for variant in Variant.objects.filter(pk__in=list(policies)).only(
        "pk", "product_id", "reorder_point", "safety_stock", "reorder_quantity"
    ):
        p = policies[variant.pk]
        values = {
            "reorder_point": p.reorder_point.quantize(Q3),
            "safety_stock": p.safety_stock.quantize(Q3),
            "reorder_quantity": p.order_quantity.quantize(Q3),
        }
        if all(getattr(variant, k) == v for k, v in values.items()):
            continue
        variant_update(variant=variant, **values)
        changed += 1
    return changed
