"""Forecast runs: request one (nightly or "re-forecast now") and execute it in the job.

``forecast_run_execute`` extracts demand from the ledger, runs ``ml.pipeline``, computes
policies with ``ml.policy`` against the current stock position, and stores forecasts and
policy results in one transaction, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from apps.catalog.models import Variant
from apps.core.jobs import job_enqueue, job_progress_update
from apps.forecasting import demand
from apps.forecasting.errors import ForecastingError
from apps.forecasting.models import Forecast, ForecastRun, PolicyResult
from apps.inventory.models import StockLevel

DEFAULT_LEAD_TIME = 14
HORIZON = 28
ORDER_COST = 50.0  # per purchase order, in the company's currency
HOLDING_RATE = 0.25  # a year, share of unit cost
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
        variant=variant, requested_by=user, trigger=trigger, horizon=HORIZON
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


def _stock_position(variant_ids: list[int]) -> dict[int, float]:
    rows = (
        StockLevel.objects.filter(variant_id__in=variant_ids)
        .order_by()
        .values_list("variant_id")
        .annotate(available=Sum(F("on_hand") - F("reserved")))
        .values_list("variant_id", "available")
    )
    return {v: float(a or 0) for v, a in rows}


def _d(value) -> Decimal:
    return Decimal(str(round(float(value), 3))).quantize(Q3)


def forecast_run_execute(*, run: ForecastRun, job_id: str | None = None) -> ForecastRun:
    """Run the pipeline and store its results; the run records success or the error."""
    from ml import policy
    from ml.pipeline import Config
    from ml.pipeline import run as pipeline_run
    from ml.revenue import revenue_forecast

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
        if frame.empty:
            run.status = ForecastRun.Status.DONE
            run.series = 0
            run.error = "No shipments in the last two years: nothing to forecast yet."
            run.finished_at = timezone.now()
            run.save()
            return run
        job_progress_update(job_id, 15, f"Forecasting {frame['series_id'].nunique()} items")
        result = pipeline_run(frame, _calendar(), run.horizon, Config(seed=run.pk or 0))
        job_progress_update(job_id, 80, "Computing reorder points and saving")
        ids = [int(v) for v in result.series_ids]
        variants = {
            v.pk: v for v in Variant.objects.filter(pk__in=ids).prefetch_related("supplier_items")
        }
        lead = np.array(
            [min(run.horizon, variants[v].lead_time_days or DEFAULT_LEAD_TIME) for v in ids],
            dtype=float,
        )
        stock = _stock_position(ids)
        position = np.array([stock.get(v, 0.0) for v in ids])
        cost = np.array([max(float(variants[v].cost_price), 0.01) for v in ids])
        history = frame.pivot(index="series_id", columns="date", values="quantity").reindex(ids)
        table = policy.plan(
            result.point,
            result.quantiles,
            history.to_numpy(dtype=float),
            unit_cost=cost,
            stock=position,
            lead_time_days=lead,
            order_cost=ORDER_COST,
            holding_rate=HOLDING_RATE,
        )
        with transaction.atomic():
            forecasts = []
            for i, v in enumerate(ids):
                for k, day in enumerate(result.dates):
                    forecasts.append(
                        Forecast(
                            run=run,
                            variant_id=v,
                            date=day.date(),
                            quantity=_d(result.point[i, k]),
                            lower_80=_d(result.quantiles[0.1][i, k]),
                            upper_80=_d(result.quantiles[0.9][i, k]),
                            lower_95=_d(result.quantiles[0.025][i, k]),
                            upper_95=_d(result.quantiles[0.975][i, k]),
                        )
                    )
            Forecast.objects.bulk_create(forecasts, batch_size=5000)
            series = result.series.reset_index(drop=True)
            first_day = result.dates[0].date()
            policies = []
            for i, v in enumerate(ids):
                row, plan = series.iloc[i], table.iloc[i]
                metrics = {
                    k: (None if np.isnan(row[k]) else round(float(row[k]), 4))
                    for k in ("mase", "rmsse", "wape", "bias", "coverage_80", "coverage_95")
                }
                day = plan["stockout_day"]
                policies.append(
                    PolicyResult(
                        run=run,
                        variant_id=v,
                        model=row["model"],
                        demand_class=row["demand_class"],
                        pattern=row["pattern"][:120],
                        metrics=metrics,
                        abc=plan["abc"],
                        xyz=plan["xyz"],
                        service_level=Decimal(str(plan["service_level"])),
                        lead_time_days=int(lead[i]),
                        daily_demand=_d(result.point[i].mean()),
                        safety_stock=_d(plan["safety_stock"]),
                        reorder_point=_d(plan["reorder_point"]),
                        order_quantity=_d(plan["order_quantity"]),
                        stock_position=_d(position[i]),
                        stockout_date=None
                        if np.isnan(day)
                        else first_day + timedelta(days=int(day) - 1),
                        stockout_probability=Decimal(
                            str(round(float(plan["stockout_probability"]), 4))
                        ),
                    )
                )
            PolicyResult.objects.bulk_create(policies, batch_size=2000)
            run.status = ForecastRun.Status.DONE
            run.series = len(ids)
            run.model_mix = {str(k): int(v) for k, v in result.summary["model_mix"].items()}
            run.accuracy = {
                k: (None if v is None else round(float(v), 4))
                for k, v in result.summary.items()
                if k == "wape" or k.startswith("mean_")
            }
            price = np.array([float(variants[v].sale_price) for v in ids])
            revenue = revenue_forecast(result.point, price, result.backtest_errors)
            run.revenue = {
                "dates": [str(d.date()) for d in result.dates],
                **{k: [round(float(x), 2) for x in v] for k, v in revenue.items()},
            }
            run.history_start = frame["date"].min().date()
            run.history_end = frame["date"].max().date()
            run.finished_at = timezone.now()
            run.save()
    except Exception as exc:
        ForecastRun.objects.filter(pk=run.pk).update(
            status=ForecastRun.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    job_progress_update(job_id, 100, f"Forecast {len(ids)} items")
    return run
