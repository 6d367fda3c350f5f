"""Forecast reports and the per-variant accuracy history: forecasts at the time against what
shipped. Today is pinned to 1 June 2026 (conftest)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context

from apps.forecasting.accuracy import variant_accuracy
from apps.inventory.models import StockMove
from tests.reports.conftest import assert_same_totals, csv_rows, get

from .conftest import post
from .factories import stored_run

PERIOD = {"period": "custom", "date_from": "2026-05-15", "date_to": "2026-06-10"}


@pytest.fixture
def judged(shop):
    """Red sold 2 a day from 21 to 31 May. A run finished on 20 May forecast 3 a day from
    the 21st; a run finished on 25 May forecast 4 a day from the 26th and takes over.
    Forecast 5×3 + 6×4 = 39, actual 22, absolute error 5×1 + 6×2 = 17."""
    red = shop["variants"][0]
    post(StockMove.Kind.RECEIPT, red, shop["shelf"], 100, datetime(2026, 5, 1, 9, tzinfo=UTC))
    for day in range(21, 32):
        post(
            StockMove.Kind.SHIPMENT, red, shop["shelf"], -2, datetime(2026, 5, day, 12, tzinfo=UTC)
        )
    first = stored_run(
        [red], daily=3, start=date(2026, 5, 21), finished_at=datetime(2026, 5, 20, 12, tzinfo=UTC)
    )
    second = stored_run(
        [red],
        daily=4,
        start=date(2026, 5, 26),
        finished_at=datetime(2026, 5, 25, 12, tzinfo=UTC),
        metrics={"wape": 0.2, "rmsse": 0.8, "coverage_80": 0.75},
    )
    second.revenue = {
        "dates": ["2026-06-01", "2026-06-02"],
        "revenue": [40.0, 42.5],
        "lower_80": [30.0, 31.0],
        "upper_80": [50.0, 52.0],
        "lower_95": [25.0, 26.0],
        "upper_95": [60.0, 61.0],
    }
    second.save()
    return {"red": red, "first": first, "second": second}


def test_forecast_vs_actual_uses_the_forecast_made_at_the_time(judged, tenant_client, users):
    tenant_client.force_login(users["manager"])
    rows = csv_rows(tenant_client, "forecast-vs-actual", **PERIOD)
    header, red, total = rows[0], rows[1], rows[-1]
    assert header[:3] == ["SKU", "Product", "Days compared"]
    assert red[0] == "MUG-RED" and red[2] == "11"
    assert [Decimal(x.rstrip("%")) for x in red[3:8]] == [
        Decimal(39), Decimal(22), Decimal(17), Decimal("77.3"), Decimal("77.3")
    ]  # fmt: skip
    assert total[0] == "Total"
    assert_same_totals(tenant_client, "forecast-vs-actual", **PERIOD)


def test_accuracy_by_model_and_class(judged, tenant_client, users):
    tenant_client.force_login(users["manager"])
    (header, row, *_rest) = csv_rows(tenant_client, "forecast-accuracy", **PERIOD)
    assert header[:3] == ["Model", "Demand class", "Items"]
    # latest run: ets / smooth, backtest WAPE 20%, RMSSE 0.8, 80% band held 75%, realised 77.3%
    assert row[:3] == ["ets", "smooth", "1"]
    assert Decimal(row[3].rstrip("%")) == 20 and Decimal(row[4]) == Decimal("0.8")
    assert Decimal(row[5].rstrip("%")) == 75 and Decimal(row[6]) == 22
    assert Decimal(row[7].rstrip("%")) == Decimal("77.3")


def test_revenue_forecast_report(judged, tenant_client, users):
    tenant_client.force_login(users["manager"])
    rows = csv_rows(tenant_client, "revenue-forecast")
    assert [Decimal(x) for x in rows[1][1:]] == [40, 30, 50, 25, 60]
    assert Decimal(rows[-1][1]) == Decimal("82.5") and rows[-1][2] == ""  # ranges do not add
    tenant_client.force_login(users["viewer"])
    assert get(tenant_client, "revenue-forecast").status_code == 200  # forecasting.view


def test_variant_accuracy_history_per_run(judged, tenant, tenant_client, users):
    history = variant_accuracy(judged["red"].pk)
    assert [a.run.pk for a in history] == [judged["second"].pk, judged["first"].pk]
    second, first = history
    assert (second.days, second.forecast, second.actual) == (6, 24.0, 12.0)
    assert second.wape == pytest.approx(1.0) and second.bias == pytest.approx(1.0)
    assert (first.days, first.forecast, first.actual) == (11, 33.0, 22.0)
    assert first.wape == pytest.approx(0.5) and second.promised == 0.2
    tenant_client.force_login(users["viewer"])
    with schema_context(tenant.schema_name):
        url = reverse("forecasting:variant", args=[judged["red"].pk])
    page = tenant_client.get(url).text
    assert "How past forecasts of MUG-RED did" in page
    assert "100%" in page and "worse than promised" in page
