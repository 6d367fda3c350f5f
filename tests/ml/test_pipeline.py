import numpy as np
import pandas as pd
import pytest

from ml.data import Calendar, DataError
from ml.pipeline import Config, run
from tests.ml.conftest import poisson_panel, tidy

FAST = Config(ets_engine="vectorised", xgb_rounds=30)


def test_run_returns_forecasts_intervals_model_and_metrics_per_series(seasonal):
    noisy = poisson_panel(20, 250, seed=3, intermittent=6)
    y = np.concatenate([seasonal[:, -250:], noisy[:, : seasonal.shape[1]]])
    result = run(tidy(y), Calendar("US"), horizon=14, config=FAST)
    frame = result.forecasts()
    assert len(frame) == len(y) * 14
    assert {"lower_80", "upper_80", "lower_95", "upper_95"} <= set(frame.columns)
    series = result.series.set_index("series_id")
    # A pure weekly series is forecast exactly and by the simplest model that does it.
    assert series.loc["s000", "model"] == "seasonal_naive"
    np.testing.assert_allclose(result.point[0], np.tile(seasonal[0, :7], 2))
    assert series.loc["s000", "rmsse"] == pytest.approx(0, abs=1e-9)
    # Intermittent series only ever choose among their candidates.
    inter = series[series["demand_class"].isin(["intermittent", "lumpy"])]
    assert set(inter["model"]) <= {"moving_average", "croston", "sba", "tsb", "xgboost", "ensemble"}
    # The why: every candidate's metrics are kept, and origins are listed.
    assert set(result.metrics["model"]) >= {"seasonal_naive", "ets", "xgboost", "ensemble"}
    assert len(result.summary["origins"]) == 4
    assert sum(result.summary["model_mix"].values()) == len(y)


def test_run_is_deterministic_with_a_seed():
    y = poisson_panel(10, 200, seed=4)
    a = run(tidy(y), config=FAST)
    b = run(tidy(y), config=FAST)
    np.testing.assert_array_equal(a.point, b.point)
    assert a.series["model"].tolist() == b.series["model"].tolist()


def test_stockout_days_are_not_read_as_zero_demand():
    y = np.tile([10.0] * 7, 30)[None, :]
    stockout = np.zeros_like(y, dtype=bool)
    stockout[0, -21:] = True
    observed = np.where(stockout, 0.0, y)
    result = run(tidy(observed, stockout=stockout), horizon=7, config=FAST)
    assert result.point.mean() == pytest.approx(10, rel=0.05)


def test_short_history_still_forecasts_and_says_why():
    y = np.ones((2, 30))
    result = run(tidy(y), horizon=7, config=FAST)
    assert result.point.shape == (2, 7)
    assert any("too short" in note for note in result.notes)


def test_bad_input_is_a_clear_error():
    with pytest.raises(DataError, match="missing column"):
        run(pd.DataFrame({"series_id": ["a"], "quantity": [1]}))
    with pytest.raises(DataError, match="Horizon"):
        run(tidy(np.ones((1, 60))), horizon=0)
