"""Stored forecasts made by hand (rows of our own models, as a finished run leaves them)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from apps.forecasting.models import Forecast, ForecastRun, PolicyResult


def stored_run(variants, *, daily, start: date, finished_at=None, horizon=28, **policy):
    """A finished run forecasting ``daily[i]`` units a day (a list per variant or one number)
    from ``start``, 80% band ±20%, 95% band ±40%, with a policy row per variant."""
    run = ForecastRun.objects.create(
        status=ForecastRun.Status.DONE,
        series=len(variants),
        horizon=horizon,
        finished_at=finished_at or timezone.now(),
    )
    for i, variant in enumerate(variants):
        per_day = daily[i] if isinstance(daily, list | tuple) else daily
        days = per_day if isinstance(per_day, list | tuple) else [per_day] * horizon
        Forecast.objects.bulk_create(
            Forecast(
                run=run,
                variant=variant,
                date=start + timedelta(days=k),
                quantity=Decimal(str(q)),
                lower_80=Decimal(str(q * 0.8)),
                upper_80=Decimal(str(q * 1.2)),
                lower_95=Decimal(str(q * 0.6)),
                upper_95=Decimal(str(q * 1.4)),
            )
            for k, q in enumerate(days)
        )
        values = {
            "model": "ets",
            "demand_class": "smooth",
            "abc": "A",
            "xyz": "X",
            "service_level": Decimal("0.98"),
            "lead_time_days": 7,
            "daily_demand": Decimal(str(days[0])),
            "safety_stock": Decimal("5"),
            "reorder_point": Decimal("40"),
            "order_quantity": Decimal("100"),
            "stock_position": Decimal("50"),
            "stockout_probability": Decimal("0.1"),
            "metrics": {"wape": 0.2},
            **policy,
        }
        PolicyResult.objects.create(run=run, variant=variant, **values)
    return run
