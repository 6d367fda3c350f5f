"""Accuracy week by week, worked by hand. Today is pinned to Monday 1 June 2026.

One run made on 12 May forecast 6 a day from 18 May. Imported actuals: 4 and 6 by turns
before 18 May (day-to-day change 2: the MASE scale), 4 a day in the week of 18 May, 5 a day
in the week of 25 May with Sunday 31 May sold out (left out).
Week of 18 May: misses 2 × 7 = 14 over 28 actual → WAPE 50%, MASE 2 / 2 = 1.
Week of 25 May: misses 1 × 6 = 6 over 30 actual → WAPE 20%, MASE 1 / 2 = 0.5.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import Role
from apps.forecasting.accuracy import accuracy_by_week
from apps.forecasting.history import HistoryDay, demand_history_import

from .conftest import TODAY
from .factories import stored_run

MAY_18 = date(2026, 5, 18)


@pytest.fixture
def scored(shop):
    red, blue = shop["variants"]
    days = []
    for k in range(1, 29):  # 20 Apr .. 17 May
        days.append(HistoryDay(red.pk, None, MAY_18 - timedelta(days=k), Decimal(4 + 2 * (k % 2))))
    for k in range(7):
        days.append(HistoryDay(red.pk, None, MAY_18 + timedelta(days=k), Decimal(4)))
    for k in range(7, 14):
        day = MAY_18 + timedelta(days=k)
        days.append(HistoryDay(red.pk, None, day, Decimal(5), stockout=day == date(2026, 5, 31)))
    demand_history_import(days=days)
    made = datetime(2026, 5, 12, 12, tzinfo=UTC)
    stored_run([red], daily=6, start=MAY_18, finished_at=made, horizon=14)
    return shop


def test_weekly_wape_and_mase_follow_the_hand_worked_figures(scored):
    assert TODAY.date() == date(2026, 6, 1)
    red = scored["variants"][0]
    weeks = accuracy_by_week(weeks=3)
    assert [w["week"] for w in weeks] == [date(2026, 5, 11), MAY_18, date(2026, 5, 25)]
    empty, first, second = weeks
    assert empty["wape"] is None and empty["days"] == 0  # nothing forecast then: a gap
    assert first["days"] == 7 and abs(first["wape"] - 0.5) < 1e-9
    assert abs(first["mase"] - 1.0) < 1e-9
    assert second["days"] == 6  # the sold-out Sunday is unknown demand
    assert abs(second["wape"] - 0.2) < 1e-9 and abs(second["mase"] - 0.5) < 1e-9
    assert second["actual"] == 30 and second["forecast"] == 36
    # One variant's view; another variant has nothing to score.
    assert accuracy_by_week(weeks=3, variant_id=red.pk) == weeks
    blue = scored["variants"][1]
    assert all(w["wape"] is None for w in accuracy_by_week(weeks=3, variant_id=blue.pk))


def test_chart_json_and_the_table_alternative(
    scored, tenant_client, users, django_assert_max_num_queries
):
    red = scored["variants"][0]
    tenant_client.force_login(users[Role.VIEWER])
    url = reverse("forecasting:accuracy-data")
    with CaptureQueriesContext(connection) as one_item:
        spec = tenant_client.get(url).json()
    assert spec["type"] == "line" and len(spec["labels"]) == 12
    wape, mase = spec["datasets"]
    assert wape["data"][-2:] == [50.0, 20.0] and mase["data"][-2:] == [1.0, 0.5]
    assert wape["data"][0] is None
    # More items scored: the same number of queries (middleware and session included).
    blue = scored["variants"][1]
    demand_history_import(
        days=[HistoryDay(blue.pk, None, MAY_18 + timedelta(days=k), Decimal(3)) for k in range(14)]
    )
    stored_run([blue], daily=3, start=MAY_18, finished_at=datetime(2026, 5, 12, tzinfo=UTC))
    with django_assert_max_num_queries(len(one_item)):
        assert tenant_client.get(url).status_code == 200
    one = tenant_client.get(url, {"variant": red.pk}).json()
    assert one["datasets"][0]["data"][-2:] == [50.0, 20.0]
    assert tenant_client.get(url, {"variant": "999999"}).status_code == 404
    assert tenant_client.get(url, {"variant": "x"}).status_code == 404
    page = tenant_client.get(reverse("forecasting:variant", args=[red.pk]))
    assert page.status_code == 200
    assert 'id="accuracy-chart"' in page.text and f"accuracy.json?variant={red.pk}" in page.text
    assert 'id="weekly-accuracy"' in page.text and "50%" in page.text
    assert "js/accuracy-chart.js" in page.text and "<script>" not in page.text
    overview = tenant_client.get(reverse("forecasting:overview"))
    assert 'id="accuracy-chart"' in overview.text and "Accuracy week by week" in overview.text


def test_chart_data_needs_the_forecasting_view_capability(scored, tenant_client):
    response = tenant_client.get(reverse("forecasting:accuracy-data"))
    assert response.status_code in (302, 403)
