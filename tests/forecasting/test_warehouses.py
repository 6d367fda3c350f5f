"""Per-warehouse demand, forecasts and policies beside the variant total."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Product, Variant
from apps.forecasting.config import forecast_settings_update
from apps.forecasting.demand import demand_history, warehouse_demand_history
from apps.forecasting.models import (
    Forecast,
    ForecastRun,
    PolicyResult,
    WarehouseForecast,
    WarehousePolicy,
)
from apps.forecasting.services import forecast_run_execute
from apps.inventory.models import ReorderRule, StockMove

from .conftest import import_history, on, post

K = StockMove.Kind


def test_ledger_demand_is_split_by_the_warehouse_it_shipped_from(two_warehouses):
    shop = two_warehouses
    red, blue = shop["variants"]
    main, west = shop["shelf"], shop["west_shelf"]
    post(K.RECEIPT, red, main, 10, on(10))
    post(K.RECEIPT, red, west, 10, on(10))
    post(K.SHIPMENT, red, main, -3, on(5))
    post(K.SHIPMENT, red, west, -2, on(5))
    post(K.SHIPMENT, red, west, -8, on(4))  # west is empty from here on
    post(K.RECEIPT, blue, main, 5, on(10))
    post(K.SHIPMENT, blue, main, -1, on(3))  # one warehouse only: no split series
    split = warehouse_demand_history(days=15)
    assert set(split["variant_id"]) == {red.pk}
    rows = {(r.warehouse_id, r.date.date()): r for r in split.itertuples()}
    assert rows[(shop["main"].pk, on(5).date())].quantity == 3
    assert rows[(shop["west"].pk, on(5).date())].quantity == 2
    assert rows[(shop["west"].pk, on(4).date())].quantity == 8
    # West had nothing all day after it ran out: stock-out days there, not at main.
    assert rows[(shop["west"].pk, on(2).date())].stockout
    assert not rows[(shop["main"].pk, on(2).date())].stockout
    pooled = demand_history(days=15)
    day5 = pooled[(pooled["series_id"] == red.pk) & (pooled["date"] == str(on(5).date()))]
    assert day5["quantity"].item() == 5


def test_run_stores_warehouse_forecasts_and_feeds_the_warehouse_reorder_rules(two_warehouses):
    shop = two_warehouses
    red, blue = shop["variants"]
    import_history(red, mean=6, warehouse=shop["main"], seed=1)
    import_history(red, mean=2, warehouse=shop["west"], seed=2)
    import_history(blue, mean=3, warehouse=shop["main"], seed=3)
    forecast_settings_update(reorder_mode="forecast")
    run = forecast_run_execute(run=ForecastRun.objects.create())
    assert run.status == ForecastRun.Status.DONE and run.series == 2
    assert Forecast.objects.filter(run=run).count() == 2 * 28  # the variant totals
    assert WarehouseForecast.objects.filter(run=run).count() == 2 * 28  # red in two places
    main = WarehousePolicy.objects.get(run=run, variant=red, warehouse=shop["main"])
    west = WarehousePolicy.objects.get(run=run, variant=red, warehouse=shop["west"])
    total = PolicyResult.objects.get(run=run, variant=red)
    assert float(main.daily_demand) > 2 * float(west.daily_demand) > 0
    assert 0.7 < float(main.daily_demand + west.daily_demand) / float(total.daily_demand) < 1.3
    assert main.reorder_point > main.safety_stock > 0
    assert main.service_level == total.service_level  # the variant's ABC class
    assert not WarehousePolicy.objects.filter(variant=blue).exists()
    # Forecast-driven: the totals go to the variant, the warehouse figures to its rules.
    red.refresh_from_db()
    assert red.reorder_point == total.reorder_point
    rules = {r.warehouse_id: r for r in ReorderRule.objects.filter(variant=red)}
    assert rules[shop["main"].pk].reorder_point == main.reorder_point
    assert rules[shop["west"].pk].safety_stock == west.safety_stock
    assert rules[shop["west"].pk].reorder_quantity == west.order_quantity
    assert not ReorderRule.objects.filter(variant=blue).exists()


def _catalogue(shop, count: int):
    product = Product.objects.create(name=f"Range {count}")
    variants = []
    for i in range(count):
        variant = Variant.objects.create(
            product=product, sku=f"R{count}-{i}", cost_price=Decimal("4"), sale_price=Decimal("9")
        )
        import_history(variant, mean=3 + i, warehouse=shop["main"], seed=i)
        import_history(variant, mean=1 + i, warehouse=shop["west"], seed=100 + i)
        variants.append(variant)
    return variants


def _run_queries(variants) -> tuple[int, ForecastRun]:
    run = ForecastRun.objects.create(variant=variants[0])  # that product's variants
    with CaptureQueriesContext(connection) as queries:
        forecast_run_execute(run=run)
    return len(queries), run


def test_the_nightly_write_is_a_fixed_number_of_queries_whatever_the_catalogue(
    two_warehouses,
):
    forecast_settings_update(reorder_mode="forecast")
    small = _catalogue(two_warehouses, 2)
    _run_queries(small)  # the first run creates settings rows and fills caches
    few, run_few = _run_queries(small)
    many, run_many = _run_queries(_catalogue(two_warehouses, 7))
    assert run_few.status == run_many.status == ForecastRun.Status.DONE
    assert (run_few.series, run_many.series) == (2, 7)
    assert WarehouseForecast.objects.filter(run=run_many).count() == 7 * 2 * 28
    assert ReorderRule.objects.filter(variant__product__name="Range 7").count() == 14
    assert few == many, (few, many)
    assert many <= 25


def test_variant_page_picks_a_warehouse(two_warehouses, tenant_client, users):
    from django.urls import reverse

    shop = two_warehouses
    red, _blue = shop["variants"]
    import_history(red, mean=6, warehouse=shop["main"], seed=1)
    import_history(red, mean=2, warehouse=shop["west"], seed=2)
    run = forecast_run_execute(run=ForecastRun.objects.create())
    west = WarehousePolicy.objects.get(run=run, variant=red, warehouse=shop["west"])
    total = PolicyResult.objects.get(run=run, variant=red)
    tenant_client.force_login(users["viewer"])
    url = reverse("forecasting:variant", args=[red.pk])
    page = tenant_client.get(url)
    assert page.status_code == 200
    assert 'id="warehouse-picker"' in page.text and f"?warehouse={shop['west'].pk}" in page.text
    assert f"{total.reorder_point.normalize()}</dd>" in page.text
    local = tenant_client.get(url, {"warehouse": shop["west"].pk})
    assert local.status_code == 200
    assert "Demand shipped from West only" in local.text
    assert f"{west.reorder_point.normalize()}</dd>" in local.text
    assert f"{west.daily_demand.normalize()} a day" in local.text
    # A warehouse without its own forecast (or garbage) shows the total.
    other = tenant_client.get(url, {"warehouse": "nope"})
    assert other.status_code == 200 and "All warehouses together" in other.text
