import numpy as np
import pytest

from ml.backtest import Backtest, class_prior, origins, point_metrics, run_backtest, select
from ml.classify import classify
from ml.models import (
    SBA,
    TSB,
    Context,
    Croston,
    GlobalXGB,
    HoltWinters,
    MovingAverage,
    Naive,
    SeasonalNaive,
)
from tests.ml.conftest import poisson_panel

FACTORIES = {
    "naive": Naive,
    "seasonal_naive": SeasonalNaive,
    "moving_average": MovingAverage,
    "croston": Croston,
    "sba": SBA,
    "tsb": TSB,
    "holt_winters": HoltWinters,
    "xgboost": lambda: GlobalXGB(rounds=20, threads=1),
}


def test_origins_are_rolling_expanding_and_at_least_four():
    assert origins(730, 28) == [618, 646, 674, 702]
    assert origins(730, 28, n_origins=5, step=7) == [674, 681, 688, 695, 702]
    assert origins(100, 28) == [72]  # short history: as many as fit after 56 days


def test_backtest_never_uses_data_after_the_origin():
    y = poisson_panel(12, 160, seed=2, intermittent=4)
    origin = 120

    def context_at(o, data):
        return Context(classes=classify(data[:, :o]), seed=0)

    clean = run_backtest(y, y, FACTORIES, 28, [origin], lambda o: context_at(o, y))
    tampered = y.copy()
    tampered[:, origin:] = 1000.0  # the future changes wildly
    dirty = run_backtest(
        tampered, tampered, FACTORIES, 28, [origin], lambda o: context_at(o, tampered)
    )
    for name in FACTORIES:
        np.testing.assert_allclose(
            clean.forecasts[name], dirty.forecasts[name], err_msg=f"{name} saw the future"
        )
    assert not np.allclose(clean.actual, dirty.actual)  # the tamper did reach the actuals


def test_point_metrics_worked_example():
    actual = np.array([[[2.0, 4.0]]])
    bt = Backtest([10], 2, actual, scale_mae=np.array([[2.0]]), scale_mse=np.array([[4.0]]))
    m = point_metrics(bt, np.array([[[3.0, 1.0]]]))
    assert m["mase"][0] == pytest.approx((1 + 3) / 2 / 2)  # mean |e| / scale
    assert m["rmsse"][0] == pytest.approx(np.sqrt((1 + 9) / 2 / 4))
    assert m["wape"][0] == pytest.approx(4 / 6)
    assert m["bias"][0] == pytest.approx(-2 / 6)


def test_selection_prefers_the_best_and_the_simpler_model_on_a_tie():
    scores = {
        "xgboost": np.array([0.50, 0.800, 0.9]),
        "seasonal_naive": np.array([0.70, 0.805, np.nan]),
    }
    complexity = {"seasonal_naive": 1, "xgboost": 4}
    chosen = select(scores, complexity, tolerance=0.01)
    assert chosen.tolist() == ["xgboost", "seasonal_naive", "xgboost"]


def test_class_prior_favours_the_class_favourite_on_a_near_tie_but_not_over_an_exact_fit():
    classes = np.array(["smooth"] * 4, dtype=object)
    scores = {
        "ets": np.array([0.70, 0.70, 0.70, 0.70]),  # the smooth class's favourite
        "xgboost": np.array([0.69, 1.20, 1.20, 0.0]),  # wins series 0 by a hair; exact on 3
    }
    complexity = {"ets": 3, "xgboost": 4}
    assert select(scores, complexity, 0.0)[0] == "xgboost"
    adjusted = class_prior(scores, classes, 1.0)
    chosen = select(adjusted, complexity, 0.0)
    assert chosen[0] == "ets"  # 0.69 x (0.7725 / 0.70) = 0.76 > 0.70
    assert chosen[3] == "xgboost"  # an exact fit still wins
    assert class_prior(scores, classes, 0.0)["xgboost"][0] == 0.69
