import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ml.data import Calendar, DataError, easter, impute_lost_sales, to_panel, validate_frame


def frame(**columns):
    base = {"series_id": ["a", "a"], "date": ["2025-01-01", "2025-01-02"], "quantity": [1, 2]}
    base.update(columns)
    return pd.DataFrame(base)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (frame().drop(columns="quantity"), "missing column"),
        (frame(quantity=[1, -2]), "negative"),
        (frame(quantity=[1, "x"]), "numeric"),
        (frame(date=["2025-01-01", "2025-01-01"]), "more than one row"),
        (frame(date=["2025-01-01", "not a date"]), "not dates"),
        (frame().iloc[:0], "empty"),
    ],
)
def test_bad_history_is_refused_with_a_clear_message(bad, message):
    with pytest.raises(DataError, match=message):
        validate_frame(bad)


def test_panel_fills_missing_days_with_zero_and_marks_days_before_the_start_unknown():
    tidy = pd.DataFrame(
        {
            "series_id": ["a", "a", "b"],
            "date": ["2025-01-01", "2025-01-04", "2025-01-03"],
            "quantity": [2, 3, 7],
        }
    )
    panel = to_panel(tidy)
    assert list(panel.series_ids) == ["a", "b"]
    assert len(panel.dates) == 4
    np.testing.assert_array_equal(panel.y[0], [2, 0, 0, 3])
    assert np.isnan(panel.y[1, :2]).all() and list(panel.y[1, 2:]) == [7, 0]


def test_stockout_days_are_unknown_demand_and_imputed_from_the_same_weekday():
    days = 35
    qty = np.tile([10.0, 10, 10, 10, 10, 30, 5], 5)
    stockout = np.zeros(days, dtype=bool)
    stockout[33] = True  # a Saturday-like slot that normally sells 30
    qty[33] = 0
    tidy = pd.DataFrame(
        {
            "series_id": "a",
            "date": pd.date_range("2025-01-06", periods=days),
            "quantity": qty,
            "stockout": stockout,
        }
    )
    panel = to_panel(tidy)
    assert np.isnan(panel.y[0, 33])
    filled = impute_lost_sales(panel.y)
    assert filled[0, 33] == pytest.approx(30.0)


def test_easter_and_holiday_tables():
    assert easter(2024) == dt.date(2024, 3, 31)
    assert easter(2025) == dt.date(2025, 4, 20)
    us = Calendar("US").holidays(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert dt.date(2025, 11, 27) in us  # Thanksgiving
    assert dt.date(2025, 5, 26) in us  # Memorial Day
    de = Calendar("de").holidays(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert dt.date(2025, 4, 21) in de and dt.date(2025, 10, 3) in de
    flags = Calendar("GB").flags(pd.date_range("2025-12-24", periods=4))
    np.testing.assert_array_equal(flags, [0, 1, 1, 0])


def test_unknown_country_is_an_error():
    with pytest.raises(DataError, match="No holiday table"):
        Calendar("XX").holidays(dt.date(2025, 1, 1), dt.date(2025, 2, 1))
