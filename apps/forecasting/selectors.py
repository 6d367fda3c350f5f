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
    """The latest finished whole-catalogue run (a one-product re-forecast only covers that
    product, so lists of items at risk would miss everything else)."""
    return (
        ForecastRun.objects.filter(
            status=ForecastRun.Status.DONE, series__gt=0, variant__isnull=True
        )
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


def insights(run: ForecastRun | None) -> dict:
    """ABC/XYZ matrix, items trending up or down, overstock — from the latest run."""
    if run is None:
        return {}
    from django.db.models import Count, F

    counts = {
        (row["abc"], row["xyz"]): row["n"]
        for row in PolicyResult.objects.filter(run=run)
        .values("abc", "xyz")
        .annotate(n=Count("id"))
        .order_by()
    }
    matrix = [(a, [counts.get((a, x), 0) for x in "XYZ"]) for a in "ABC"]
    base = PolicyResult.objects.filter(run=run).select_related("variant")
    return {
        "matrix": matrix,
        "trending_up": list(
            base.filter(pattern__contains="trending up").order_by("variant__sku")[:10]
        ),
        "trending_down": list(
            base.filter(pattern__contains="trending down").order_by("variant__sku")[:10]
        ),
        # More than a whole order above the reorder point: money sitting on the shelf.
        "overstock": list(
            base.filter(stock_position__gt=F("reorder_point") + 2 * F("order_quantity")).order_by(
                "-stock_position"
            )[:10]
        ),
    }
