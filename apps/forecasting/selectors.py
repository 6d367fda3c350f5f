"""Reads for the forecasting pages (a fixed number of queries each)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet

from apps.forecasting import demand
from apps.forecasting.models import (
    Forecast,
    ForecastRun,
    PolicyResult,
    WarehouseForecast,
    WarehousePolicy,
)

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


def variant_forecast(variant, warehouse_id: int | None = None) -> dict:
    """Latest policy and forecast of one variant (all warehouses, or one warehouse's when
    the latest run forecast it there) plus recent demand for the chart. ``warehouses``:
    the warehouses the latest run has a forecast for (the page's picker)."""
    policy = (
        PolicyResult.objects.filter(variant=variant, run__status=ForecastRun.Status.DONE)
        .select_related("run")
        .order_by("-run__finished_at", "-run_id")
        .first()
    )
    warehouses, warehouse = [], None
    if policy is not None:
        by_warehouse = {
            p.warehouse_id: p
            for p in WarehousePolicy.objects.filter(run=policy.run, variant=variant)
            .select_related("warehouse")
            .order_by("warehouse__code")
        }
        warehouses = [p.warehouse for p in by_warehouse.values()]
        if warehouse_id in by_warehouse:
            local = by_warehouse[warehouse_id]
            # The classes and pattern words are the variant's; the figures the warehouse's.
            local.run, local.abc, local.xyz = policy.run, policy.abc, policy.xyz
            local.pattern = policy.pattern
            policy, warehouse = local, local.warehouse
    days = []
    if policy is not None and warehouse is not None:
        days = list(
            WarehouseForecast.objects.filter(
                run=policy.run, variant=variant, warehouse=warehouse
            ).order_by("date")
        )
        frame = demand.warehouse_demand_history(variant_ids=[variant.pk], days=HISTORY_SHOWN)
        frame = frame[frame["warehouse_id"] == warehouse.pk]
    else:
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
        "warehouses": warehouses,
        "warehouse": warehouse,
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


FRESH_DAYS = 3  # a forecast older than this is not used for purchasing


def fresh_runs(*, days: int = FRESH_DAYS) -> list[ForecastRun]:
    from django.utils import timezone

    return list(
        ForecastRun.objects.filter(
            status=ForecastRun.Status.DONE,
            series__gt=0,
            finished_at__gte=timezone.now() - timedelta(days=days),
        ).order_by("-finished_at", "-id")
    )


def forecast_demand(
    *, variant_ids=None, today=None, runs: list[ForecastRun] | None = None
) -> dict[int, list]:
    """Daily forecast from ``today`` on per variant (all warehouses pooled), from the most
    recent fresh run that covers it; variants without a fresh forecast are absent.
    Two queries."""
    from django.utils import timezone

    today = today or timezone.localdate()
    runs = fresh_runs() if runs is None else runs
    if not runs:
        return {}
    rank = {run.pk: i for i, run in enumerate(runs)}
    rows = Forecast.objects.filter(run__in=runs, date__gte=today)
    if variant_ids is not None:
        rows = rows.filter(variant_id__in=list(variant_ids))
    best: dict[int, int] = {}
    days: dict[tuple[int, int], list] = {}
    for run_id, variant_id, quantity in rows.order_by("date").values_list(
        "run_id", "variant_id", "quantity"
    ):
        days.setdefault((variant_id, run_id), []).append(quantity)
        if variant_id not in best or rank[run_id] < rank[best[variant_id]]:
            best[variant_id] = run_id
    return {v: days[(v, r)] for v, r in best.items()}


def demand_over(days: list, lead_time: int):
    """Expected demand over the next ``lead_time`` days from a daily forecast; days past its
    end are taken at the forecast's average."""
    from decimal import Decimal

    if lead_time <= 0 or not days:
        return Decimal("0")
    total = sum(days[:lead_time], Decimal("0"))
    missing = lead_time - min(lead_time, len(days))
    if missing:
        total += sum(days, Decimal("0")) / len(days) * missing
    return total
