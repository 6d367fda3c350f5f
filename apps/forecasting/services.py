"""Forecast runs: request one (nightly or "re-forecast now") and execute it in the job.

``forecast_run_execute`` extracts demand from the ledger, runs ``ml.pipeline``, computes
policies with ``ml.policy`` against the current stock position, and stores forecasts and
policy results in one transaction, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from apps.catalog.models import Variant
from apps.core.jobs import job_enqueue, job_progress_update
from apps.forecasting import demand
from apps.forecasting.bulk import copy_frame, copy_rows
from apps.forecasting.config import forecast_settings
from apps.forecasting.errors import ForecastingError
from apps.forecasting.models import (
    Forecast,
    ForecastRun,
    PolicyResult,
    WarehouseForecast,
    WarehousePolicy,
)
from apps.forecasting.reorder_values import reorder_values_apply
from apps.inventory.models import StockLevel
from apps.purchasing.config import purchasing_settings

DEFAULT_LEAD_TIME = 14
HORIZON = 28
Q3 = Decimal("0.001")


def _run_create(*, user=None, variant=None, trigger=ForecastRun.Trigger.MANUAL) -> ForecastRun:
    busy = ForecastRun.objects.filter(
        status__in=[ForecastRun.Status.QUEUED, ForecastRun.Status.RUNNING]
    )
    if busy.exists():
        raise ForecastingError(
            "A forecast run is already queued or running; wait for it to finish."
        )
    return ForecastRun.objects.create(
        variant=variant,
        requested_by=user,
        trigger=trigger,
        horizon=forecast_settings().horizon_days,
    )


def forecast_run_request(*, user=None, variant: Variant | None = None):
    """Queue "re-forecast now" for the whole catalogue or one variant's product; returns
    (run, job progress row) so the page can show a progress bar."""
    run = _run_create(user=user, variant=variant)
    job = job_enqueue(
        "apps.forecasting.tasks.forecast_run_job", run.pk, label="Forecast run", progress=True
    )
    return run, job


# Companies have no country yet; the currency is a fair hint where it names one country.
COUNTRY_BY_CURRENCY = {"USD": "US", "GBP": "GB", "CAD": "CA", "AUD": "AU", "CHF": "CH"}


def _calendar():
    from django.db import connection

    from apps.tenants.models import Tenant
    from ml.data import Calendar

    tenant = Tenant.objects.filter(schema_name=connection.schema_name).only("currency").first()
    return Calendar(COUNTRY_BY_CURRENCY.get(getattr(tenant, "currency", ""), ""))


def _stock_positions(variant_ids) -> tuple[dict[int, float], dict[tuple[int, int], float]]:
    """Available stock per variant (all warehouses) and per (variant, warehouse); one query."""
    rows = (
        StockLevel.objects.filter(variant_id__in=list(variant_ids))
        .order_by()
        .values_list("variant_id", "location__warehouse_id")
        .annotate(available=Sum(F("on_hand") - F("reserved")))
    )
    total: dict[int, float] = {}
    per_warehouse: dict[tuple[int, int], float] = {}
    for v, w, available in rows:
        per_warehouse[(v, w)] = float(available or 0)
        total[v] = total.get(v, 0.0) + float(available or 0)
    return total, per_warehouse


def _d(value) -> Decimal:
    return Decimal(str(round(float(value), 3))).quantize(Q3)


def _emit_completed(run: ForecastRun) -> None:
    from apps.api.webhooks.services import webhook_event_emit

    webhook_event_emit(
        event="forecast.completed",
        data={
            "run": run.pk,
            "trigger": run.trigger,
            "variant": run.variant_id,
            "series": run.series,
            "horizon": run.horizon,
            "model_mix": run.model_mix,
            "accuracy": run.accuracy,
            "finished_at": run.finished_at,
        },
    )


def _forecast_frame(run, ids, result, **keys) -> pd.DataFrame:
    """The forecast rows of one pipeline result, ready for COPY (``keys``: per-series
    arrays of other columns, e.g. the warehouse)."""
    n, h = result.point.shape
    frame = pd.DataFrame(
        {
            "run": run.pk,
            "variant": np.repeat(np.asarray(ids), h),
            **{k: np.repeat(np.asarray(v), h) for k, v in keys.items()},
            "date": np.tile(result.dates.date, n),
        }
    )
    for field, values in (
        ("quantity", result.point),
        ("lower_80", result.quantiles[0.1]),
        ("upper_80", result.quantiles[0.9]),
        ("lower_95", result.quantiles[0.025]),
        ("upper_95", result.quantiles[0.975]),
    ):
        frame[field] = np.round(values.ravel(), 3)
    return frame


def _metrics(row) -> dict:
    return {
        k: (None if np.isnan(row[k]) else round(float(row[k]), 4))
        for k in ("mase", "rmsse", "wape", "bias", "coverage_80", "coverage_95")
    }


def _stockout_date(first_day, day):
    return None if np.isnan(day) else first_day + timedelta(days=int(day) - 1)


def _warehouse_plan(result, *, service, lead, cost, stock, order_cost, holding_rate):
    """Policies of the warehouse series: the same formulas as ``ml.policy.plan`` but with
    the service level of the variant's ABC class (a warehouse's share of an item does not
    make it a different class)."""
    from ml import policy

    point = result.point
    sigma = policy.daily_sigma(result.quantiles)
    days = np.arange(point.shape[1])[None, :]
    in_lt = days < lead[:, None]
    lt_demand = np.where(in_lt, point, 0).sum(axis=1)
    lt_sigma = np.sqrt(np.where(in_lt, sigma**2, 0).sum(axis=1))
    z = np.array([policy.z_value(s) for s in service])
    safety = z * lt_sigma
    annual = point.mean(axis=1) * 365
    quantity = policy.order_quantity(
        policy.eoq(annual, order_cost, np.maximum(cost, 1e-9), holding_rate)
    )
    out = policy.stockout_forecast(point, sigma, stock)
    return pd.DataFrame(
        {
            "safety_stock": safety,
            "reorder_point": policy.reorder_point(lt_demand, safety),
            "order_quantity": quantity,
            "stockout_day": out["day"],
            "stockout_probability": out["probability"],
        }
    )


POLICY_FIELDS = (
    "run",
    "variant",
    "model",
    "demand_class",
    "pattern",
    "metrics",
    "abc",
    "xyz",
    "service_level",
    "lead_time_days",
    "daily_demand",
    "safety_stock",
    "reorder_point",
    "order_quantity",
    "stock_position",
    "stockout_date",
    "stockout_probability",
)
WAREHOUSE_POLICY_FIELDS = (
    "run",
    "variant",
    "warehouse",
    "model",
    "demand_class",
    "metrics",
    "service_level",
    "lead_time_days",
    "daily_demand",
    "safety_stock",
    "reorder_point",
    "order_quantity",
    "stock_position",
    "stockout_date",
    "stockout_probability",
)


def forecast_run_execute(
    *, run: ForecastRun, job_id: str | None = None, timings: dict | None = None
) -> ForecastRun:
    """Run the pipeline and store its results; the run records success or the error.
    ``timings`` (seconds per stage) is filled in when given, for benchmarks."""
    from ml.pipeline import Config
    from ml.pipeline import run as pipeline_run

    timings = {} if timings is None else timings
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = timings.get(stage, 0.0) + now - clock
        clock = now

    ForecastRun.objects.filter(pk=run.pk).update(
        status=ForecastRun.Status.RUNNING, started_at=timezone.now()
    )
    try:
        variant_ids = None
        if run.variant_id:
            variant_ids = list(
                Variant.objects.filter(product_id=run.variant.product_id).values_list(
                    "pk", flat=True
                )
            )
        job_progress_update(job_id, 5, "Reading demand from the stock ledger")
        frame = demand.demand_history(variant_ids=variant_ids)
        split = demand.warehouse_demand_history(variant_ids=variant_ids)
        lap("extraction")
        if frame.empty:
            run.status = ForecastRun.Status.DONE
            run.series = 0
            run.error = (
                "No shipments or imported demand history in the last two years: "
                "nothing to forecast yet."
            )
            run.finished_at = timezone.now()
            run.save()
            return run
        job_progress_update(job_id, 15, f"Forecasting {frame['series_id'].nunique()} items")
        calendar = _calendar()
        result = pipeline_run(frame, calendar, run.horizon, Config(seed=run.pk or 0))
        lap("forecast")
        timings["ml"] = dict(result.summary.get("timings", {}))
        pairs: list[tuple[int, int]] = []
        by_warehouse = None
        if not split.empty:
            job_progress_update(job_id, 60, "Forecasting items per warehouse")
            # One series id per (variant, warehouse) pair, for ml (which wants one key).
            codes = split.groupby(["variant_id", "warehouse_id"], sort=True).ngroup()
            keyed = split[["variant_id", "warehouse_id"]].drop_duplicates()
            pairs = sorted(map(tuple, keyed.to_numpy().tolist()))
            wh_frame = split.assign(series_id=codes)[["series_id", "date", "quantity", "stockout"]]
            by_warehouse = pipeline_run(wh_frame, calendar, run.horizon, Config(seed=run.pk or 0))
            lap("forecast_warehouses")
        job_progress_update(job_id, 80, "Computing reorder points and saving")
        _store(run, frame, result, pairs, by_warehouse, lap)
    except Exception as exc:
        ForecastRun.objects.filter(pk=run.pk).update(
            status=ForecastRun.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    job_progress_update(job_id, 100, f"Forecast {run.series} items")
    return run


def _store(run, frame, result, pairs, by_warehouse, lap) -> None:
    """Policies, then every row of the run in one transaction with one COPY per table and
    fixed-size updates of the variants (a fixed number of queries whatever the size)."""
    from ml import policy
    from ml.revenue import revenue_forecast

    settings = forecast_settings()
    costs = purchasing_settings()
    ids = [int(v) for v in result.series_ids]
    wh_variants = {v for v, _ in pairs}
    variants = {
        v.pk: v
        for v in Variant.objects.filter(pk__in=set(ids) | wh_variants).only(
            "pk", "lead_time_days", "cost_price", "sale_price"
        )
    }
    lead = np.array(
        [min(run.horizon, variants[v].lead_time_days or DEFAULT_LEAD_TIME) for v in ids],
        dtype=float,
    )
    stock, stock_wh = _stock_positions(set(ids) | wh_variants)
    position = np.array([stock.get(v, 0.0) for v in ids])
    cost = np.array([max(float(variants[v].cost_price), 0.01) for v in ids])
    history = frame.pivot(index="series_id", columns="date", values="quantity").reindex(ids)
    order_cost = float(costs.ordering_cost)
    holding_rate = float(costs.holding_cost_rate) / 100
    table = policy.plan(
        result.point,
        result.quantiles,
        history.to_numpy(dtype=float),
        unit_cost=cost,
        stock=position,
        lead_time_days=lead,
        review_days=settings.review_period_days,
        order_cost=order_cost,
        holding_rate=holding_rate,
        service_levels=settings.service_levels,
    )
    series = result.series.reset_index(drop=True)
    first_day = result.dates[0].date()
    policies = [
        (
            run.pk,
            v,
            row.model,
            row.demand_class,
            row.pattern[:120],
            json.dumps(_metrics(row._asdict())),
            plan.abc,
            plan.xyz,
            Decimal(str(plan.service_level)),
            int(lead[i]),
            _d(result.point[i].mean()),
            _d(plan.safety_stock),
            _d(plan.reorder_point),
            _d(plan.order_quantity),
            _d(position[i]),
            _stockout_date(first_day, plan.stockout_day),
            Decimal(str(round(float(plan.stockout_probability), 4))),
        )
        for i, (v, row, plan) in enumerate(
            zip(ids, series.itertuples(index=False), table.itertuples(index=False), strict=True)
        )
    ]
    wh_policies = []
    if by_warehouse is not None:
        # ml sorted the pair codes, which are indexes into the sorted ``pairs``.
        pairs = [pairs[int(code)] for code in by_warehouse.series_ids]
        level = dict(zip(ids, table["service_level"], strict=True))
        by_variant_lead = dict(zip(ids, lead, strict=True))
        wh_lead = np.array(
            [
                by_variant_lead.get(
                    v, min(run.horizon, variants[v].lead_time_days or DEFAULT_LEAD_TIME)
                )
                for v, _ in pairs
            ]
        )
        wh_service = np.array(
            [level.get(v, settings.service_levels["C"]) for v, _ in pairs], dtype=float
        )
        wh_position = np.array([stock_wh.get(p, 0.0) for p in pairs])
        wh_table = _warehouse_plan(
            by_warehouse,
            service=wh_service,
            lead=wh_lead,
            cost=np.array([max(float(variants[v].cost_price), 0.01) for v, _ in pairs]),
            stock=wh_position,
            order_cost=order_cost,
            holding_rate=holding_rate,
        )
        wh_series = by_warehouse.series.reset_index(drop=True)
        wh_first = by_warehouse.dates[0].date()
        wh_policies = [
            (
                run.pk,
                v,
                w,
                row.model,
                row.demand_class,
                json.dumps(_metrics(row._asdict())),
                Decimal(str(wh_service[i])),
                int(wh_lead[i]),
                _d(by_warehouse.point[i].mean()),
                _d(plan.safety_stock),
                _d(plan.reorder_point),
                _d(plan.order_quantity),
                _d(wh_position[i]),
                _stockout_date(wh_first, plan.stockout_day),
                Decimal(str(round(float(plan.stockout_probability), 4))),
            )
            for i, ((v, w), row, plan) in enumerate(
                zip(
                    pairs,
                    wh_series.itertuples(index=False),
                    wh_table.itertuples(index=False),
                    strict=True,
                )
            )
        ]
    price = np.array([float(variants[v].sale_price) for v in ids])
    revenue = revenue_forecast(result.point, price, result.backtest_errors)
    lap("policies")
    with transaction.atomic():
        copy_frame(Forecast, _forecast_frame(run, ids, result))
        copy_rows(PolicyResult, POLICY_FIELDS, policies)
        if by_warehouse is not None:
            copy_frame(
                WarehouseForecast,
                _forecast_frame(
                    run,
                    [v for v, _ in pairs],
                    by_warehouse,
                    warehouse=[w for _, w in pairs],
                ),
            )
            copy_rows(WarehousePolicy, WAREHOUSE_POLICY_FIELDS, wh_policies)
        run.status = ForecastRun.Status.DONE
        run.series = len(ids)
        run.model_mix = {str(k): int(v) for k, v in result.summary["model_mix"].items()}
        run.accuracy = {
            k: (None if v is None else round(float(v), 4))
            for k, v in result.summary.items()
            if k == "wape" or k.startswith("mean_")
        }
        run.revenue = {
            "dates": [str(d.date()) for d in result.dates],
            **{k: [round(float(x), 2) for x in v] for k, v in revenue.items()},
        }
        run.history_start = frame["date"].min().date()
        run.history_end = frame["date"].max().date()
        run.finished_at = timezone.now()
        run.save()
        reorder_values_apply(run=run, settings=settings)
        _emit_completed(run)
    lap("storing")
