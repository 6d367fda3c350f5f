"""Realised accuracy of a stored forecast: forecast 5 a day for the last 4 days; the ledger
shows 4, 6, 5 and a stock-out day (excluded). |errors| = 1 + 1 + 0 over 15 actual -> 13.3%."""

from decimal import Decimal

from django.utils import timezone

from apps.forecasting.accuracy import accuracy_by_run
from apps.forecasting.models import Forecast, ForecastRun, PolicyResult
from apps.inventory.models import StockMove

from .conftest import TODAY, on, post


def test_realised_error_per_run_skips_stockouts_and_flags_degraded_items(shop):
    mug = shop["variants"][0]
    shelf = shop["shelf"]
    post(StockMove.Kind.RECEIPT, mug, shelf, 15, on(6))
    for days_ago, q in ((4, 4), (3, 6), (2, 5)):
        post(StockMove.Kind.SHIPMENT, mug, shelf, -q, on(days_ago))
    run = ForecastRun.objects.create(
        status=ForecastRun.Status.DONE, series=1, finished_at=timezone.now()
    )
    for days_ago in (4, 3, 2, 1):
        Forecast.objects.create(
            run=run,
            variant=mug,
            date=on(days_ago).date(),
            quantity=Decimal(5),
            lower_80=Decimal(3),
            upper_80=Decimal(7),
            lower_95=Decimal(2),
            upper_95=Decimal(8),
        )
    Forecast.objects.create(  # the future is not scored yet
        run=run,
        variant=mug,
        date=TODAY.date(),
        quantity=Decimal(50),
        lower_80=0,
        upper_80=0,
        lower_95=0,
        upper_95=0,
    )
    PolicyResult.objects.create(
        run=run,
        variant=mug,
        model="tsb",
        demand_class="smooth",
        metrics={"wape": 0.05},
        abc="A",
        xyz="X",
        service_level=Decimal("0.98"),
        lead_time_days=7,
        daily_demand=5,
        safety_stock=1,
        reorder_point=36,
        order_quantity=10,
        stock_position=0,
        stockout_probability=1,
    )
    [result] = accuracy_by_run()
    assert result.days == 3  # day -1 was a stock-out: unknown demand
    assert abs(result.wape - 2 / 15) < 1e-9
    assert abs(result.bias - 0) < 1e-9
    assert result.degraded == [mug.pk]  # 13% realised vs 5% promised
