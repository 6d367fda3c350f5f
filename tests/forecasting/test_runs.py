import pytest
from django_tenants.utils import schema_context

from apps.forecasting.errors import ForecastingError
from apps.forecasting.models import Forecast, ForecastRun, PolicyResult
from apps.forecasting.services import forecast_run_request
from apps.forecasting.tasks import forecast_nightly


def test_reforecast_job_runs_in_the_right_company_and_stores_forecasts(
    sales_history, sync_jobs, other_tenant
):
    with sync_jobs():
        run, job = forecast_run_request()
    run.refresh_from_db()
    assert run.status == ForecastRun.Status.DONE, run.error
    assert run.series == 2
    assert sum(run.model_mix.values()) == 2
    assert Forecast.objects.filter(run=run).count() == 2 * 28
    red = sales_history["variants"][0]
    policy = PolicyResult.objects.get(run=run, variant=red)
    assert policy.reorder_point > policy.safety_stock > 0
    assert 4 <= float(policy.daily_demand) <= 10  # ~6-7 a day sold
    forecasts = Forecast.objects.filter(run=run, variant=red)
    assert all(f.lower_95 <= f.lower_80 <= f.upper_80 <= f.upper_95 for f in forecasts)
    assert len(run.revenue["revenue"]) == 28 and min(run.revenue["revenue"]) > 0
    assert all(
        lo <= mid <= hi
        for lo, mid, hi in zip(
            run.revenue["lower_80"], run.revenue["revenue"], run.revenue["upper_80"], strict=True
        )
    )
    job.refresh_from_db()
    assert job.state == "succeeded"
    with schema_context(other_tenant.schema_name):
        assert not ForecastRun.objects.exists() and not Forecast.objects.exists()


def test_a_second_run_is_refused_while_one_is_queued(sales_history):
    ForecastRun.objects.create(status=ForecastRun.Status.QUEUED)
    with pytest.raises(ForecastingError, match="already queued or running"):
        forecast_run_request()


def test_nightly_run_with_no_history_records_why(shop):
    message = forecast_nightly()
    run = ForecastRun.objects.get()
    assert run.trigger == ForecastRun.Trigger.NIGHTLY
    assert run.status == ForecastRun.Status.DONE and run.series == 0
    assert "nothing to forecast" in run.error
    assert "0 items" in message


def test_latest_run_is_the_latest_whole_catalogue_run(shop):
    from django.utils import timezone

    from apps.forecasting.selectors import latest_run

    whole = ForecastRun.objects.create(
        status=ForecastRun.Status.DONE, series=2, finished_at=timezone.now()
    )
    ForecastRun.objects.create(  # a later one-product re-forecast
        status=ForecastRun.Status.DONE,
        series=1,
        variant=shop["variants"][0],
        finished_at=timezone.now(),
    )
    assert latest_run() == whole
