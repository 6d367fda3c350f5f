"""Forecast jobs; they run inside the company's schema (apps.core.jobs.run_in_schema)."""

from __future__ import annotations

from apps.forecasting.errors import ForecastingError
from apps.forecasting.models import ForecastRun
from apps.forecasting.services import _run_create, forecast_run_execute


def forecast_run_job(run_id: int, job_id: str | None = None) -> str:
    run = ForecastRun.objects.select_related("variant").get(pk=run_id)
    run = forecast_run_execute(run=run, job_id=job_id)
    return f"{run.series} items forecast"


def forecast_nightly(timings: dict | None = None) -> str:
    """The nightly run (fanned out per company by the schedule). ``timings`` collects
    seconds per stage (benchmarks)."""
    try:
        run = _run_create(trigger=ForecastRun.Trigger.NIGHTLY)
    except ForecastingError as exc:
        return str(exc)
    run = forecast_run_execute(run=run, timings=timings)
    return f"{run.series} items forecast"
