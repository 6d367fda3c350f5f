"""The demand seam: suggestions use the fresh stored forecast over the lead time, else the
90-day average (and say which)."""

from datetime import timedelta

from django.utils import timezone

from apps.purchasing.replenishment import _warehouse_shares, reorder_suggestions
from tests.forecasting.factories import stored_run

from .conftest import D
from .test_replenishment import worked_example  # noqa: F401 - the shared fixture


def test_fresh_forecast_sums_the_days_within_the_lead_time(worked_example, buying):  # noqa: F811
    # 1 a day for 5 days, then 5 a day: over the 10-day lead time 5 + 25 = 30
    # (the forecast's average × 10 would be 42.9; the 90-day average gives 15)
    stored_run([worked_example], daily=[[1] * 5 + [5] * 23], start=timezone.localdate())
    (s,) = reorder_suggestions()
    assert s.demand_source == "forecast"
    assert (s.demand_over_lead_time, s.daily_demand, s.lead_time_days) == (30, 3, 10)
    # position 8 + 10 − 30 = −12; shortfall 20 + 12 = 32 ≥ 12; MOQ 24; packs of 10 → 40
    assert (s.position, s.quantity) == (-12, 40)


def test_stale_forecast_falls_back_to_the_90_day_average(worked_example, buying):  # noqa: F811
    stored_run(
        [worked_example],
        daily=9,
        start=timezone.localdate() - timedelta(days=5),
        finished_at=timezone.now() - timedelta(days=5),
    )
    (s,) = reorder_suggestions()
    assert s.demand_source == "90-day average"
    assert (s.daily_demand, s.demand_over_lead_time, s.position, s.quantity) == (
        D("1.5"),
        15,
        3,
        30,
    )


def test_suggestions_page_labels_the_demand_source(worked_example, buying, web):  # noqa: F811
    web.login_as("manager")
    page = web.get("/purchasing/suggestions/").text
    assert "10 d, 90-day average" in page


def test_pooled_forecast_is_shared_by_shipments_then_by_stock():
    demand = {(1, 10): D("3"), (1, 20): D("1")}
    stock = {(1, 10): 0, (1, 20): 0, (2, 10): 0, (2, 30): 0}
    shares = _warehouse_shares(demand, stock)
    assert shares[(1, 10)] == D("0.75") and shares[(1, 20)] == D("0.25")
    assert shares[(2, 10)] == shares[(2, 30)] == D("0.5")  # nothing shipped: split by stock


def test_forecast_driven_reorder_points_are_not_charged_the_lead_time_demand_twice(
    worked_example,  # noqa: F811
    buying,
):
    from apps.forecasting.config import forecast_settings
    from apps.forecasting.models import ForecastSettings

    stored_run([worked_example], daily=[[1] * 5 + [5] * 23], start=timezone.localdate())
    settings = forecast_settings()
    settings.reorder_mode = ForecastSettings.ReorderMode.FORECAST
    settings.save()
    # The forecast's reorder point (lead-time demand 30 + safety) is 35: available 8 + on
    # order 10 = 18 ≤ 35 → order; the position is not lowered by the 30 again.
    worked_example.reorder_point = D(35)
    worked_example.save(update_fields=["reorder_point"])
    (s,) = reorder_suggestions()
    assert s.position == 18
    # shortfall 35 − 18 = 17 ≥ 12; MOQ 24; packs of 10 → 30
    assert s.quantity == 30
    worked_example.reorder_point = D(15)  # 18 > 15: nothing to order
    worked_example.save(update_fields=["reorder_point"])
    assert reorder_suggestions() == []
