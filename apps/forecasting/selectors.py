"""Reads for the forecasting pages (a fixed number of queries each)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet

from apps.forecasting import demand
from apps.forecasting.models import Forecast, ForecastRun, PolicyResult

HISTORY_SHOWN = 91


def runs() -> QuerySet[ForecastRun]:
    return ForecastRun.objects.select_related("requested_by", "variant").order_by(
        "-created_at", "-id"
    )


def latest_run() -> ForecastRun | None:
    return (
        ForecastRun.objects.filter(status=ForecastRun.Status.DONE, series__gt=0)
        .order_by("-finished_at", "-id")
        .first()
    )


def at_risk(run: ForecastRun | None, threshold: float = 0.5) -> QuerySet[PolicyResult]:
    """Items likely to run out within the horizon, soonest first."""
    if run is None:
        return PolicyResult.objects.none()
    return (
        PolicyResult.objects.filter(run=run, stockout_probability__gte=threshold)
        .select_related("variant__product")
        .order_by("stockout_date", "-stockout_probability", "variant__sku")
    )


def variant_forecast(variant) -> dict:
    """Latest policy and forecast of one variant plus recent demand for the chart."""
    policy = (
        PolicyResult.objects.filter(variant=variant, run__status=ForecastRun.Status.DONE)
        .select_related("run")
        .order_by("-run__finished_at", "-run_id")
        .first()
    )
    days = []
    if policy is not None:
        days = list(Forecast.objects.filter(run=policy.run, variant=variant).order_by("date"))
    frame = demand.demand_history(variant_ids=[variant.pk], days=HISTORY_SHOWN)
    history = [
        (row.date.date(), float(row.quantity), bool(row.stockout)) for row in frame.itertuples()
    ]
    projection = []
    if policy is not None:
        stock = float(policy.stock_position)
        for day in days:
            stock -= float(day.quantity)
            projection.append(round(stock, 3))
    return {
        "policy": policy,
        "days": days,
        "history": history,
        "projection": projection,
        "horizon_end": days[-1].date if days else None,
        "first_day": days[0].date - timedelta(days=0) if days else None,
    }
