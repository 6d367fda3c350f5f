"""Policies on demand (``POST /api/ml/optimize``): reorder point, safety stock and EOQ for
given variants from their latest stored forecast, with optional what-if overrides of the
service levels, costs and lead time. Nothing is written. Three queries plus settings."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from apps.forecasting.config import forecast_settings
from apps.forecasting.errors import ForecastingError
from apps.forecasting.models import Forecast, ForecastRun, PolicyResult
from apps.purchasing.config import purchasing_settings


def _latest_policies(variant_ids: list[int]) -> dict[int, PolicyResult]:
    latest: dict[int, PolicyResult] = {}
    for p in (
        PolicyResult.objects.filter(variant_id__in=variant_ids, run__status=ForecastRun.Status.DONE)
        .select_related("variant", "run")
        .order_by("variant_id", "-run__finished_at", "-run_id")
    ):
        latest.setdefault(p.variant_id, p)
    return latest


def policies_optimize(
    *,
    variant_ids: list[int],
    service_levels: dict[str, float] | None = None,
    ordering_cost: float | None = None,
    holding_rate_percent: float | None = None,
    lead_time_days: int | None = None,
) -> list[dict]:
    from ml import policy as ml_policy

    settings = forecast_settings()
    costs = purchasing_settings()
    levels = {**settings.service_levels, **(service_levels or {})}
    order_cost = float(costs.ordering_cost if ordering_cost is None else ordering_cost)
    rate = float(costs.holding_cost_rate if holding_rate_percent is None else holding_rate_percent)
    if order_cost < 0:
        raise ForecastingError("The ordering cost cannot be negative.", field="ordering_cost")
    if rate <= 0:
        raise ForecastingError("The holding cost rate must be above 0%.", field="holding_rate")
    for klass, level in levels.items():
        if not 0.5 <= level < 1:
            raise ForecastingError(
                f"The class {klass} service level must be at least 0.5 and below 1.",
                field="service_levels",
            )
    latest = _latest_policies(variant_ids)
    missing = [v for v in variant_ids if v not in latest]
    if missing:
        raise ForecastingError(
            "No forecast yet for variant(s) "
            + ", ".join(str(v) for v in missing)
            + "; request one with POST /api/ml/forecast first.",
            field="variants",
        )
    days: dict[tuple[int, int], list[Forecast]] = {}
    for f in Forecast.objects.filter(
        run_id__in={p.run_id for p in latest.values()}, variant_id__in=variant_ids
    ).order_by("date"):
        days.setdefault((f.run_id, f.variant_id), []).append(f)
    out = []
    for variant_id in variant_ids:
        p = latest[variant_id]
        rows = days.get((p.run_id, variant_id), [])
        point = np.array([float(f.quantity) for f in rows])
        sigma = ml_policy.daily_sigma(
            {
                0.025: np.array([float(f.lower_95) for f in rows]),
                0.975: np.array([float(f.upper_95) for f in rows]),
            }
        )
        lead = min(lead_time_days or p.lead_time_days, len(point))
        service = levels[p.abc]
        lt_demand = float(point[:lead].sum())
        safety = float(ml_policy.safety_stock(np.sqrt((sigma[:lead] ** 2).mean()), lead, service))
        annual = float(point.mean() * 365) if len(point) else 0.0
        cost = max(float(p.variant.cost_price), 0.01)
        eoq = float(ml_policy.eoq(annual, order_cost, cost, rate / 100))
        out.append(
            {
                "variant": variant_id,
                "sku": p.variant.sku,
                "run": p.run_id,
                "abc": p.abc,
                "xyz": p.xyz,
                "service_level": service,
                "lead_time_days": lead,
                "daily_demand": _r(point.mean() if len(point) else 0),
                "lead_time_demand": _r(lt_demand),
                "safety_stock": _r(safety),
                "reorder_point": _r(lt_demand + safety),
                "eoq": _r(eoq),
                "order_quantity": _r(float(ml_policy.order_quantity(eoq))),
                "order_up_to": _r(
                    float(
                        ml_policy.order_up_to(
                            point.mean() if len(point) else 0,
                            lead,
                            settings.review_period_days,
                            safety,
                        )
                    )
                ),
            }
        )
    return out


def _r(value) -> Decimal:
    return Decimal(str(round(float(value), 3)))
