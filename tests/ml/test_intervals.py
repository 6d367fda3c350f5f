import numpy as np

from ml.intervals import calibrate, conformal, fix, quantile_levels
from ml.pipeline import Config, run
from tests.ml.conftest import WEEKLY, poisson_panel, tidy


def test_quantiles_never_cross_and_never_go_below_zero():
    crossing = {
        0.1: np.array([[5.0, -1.0]]),
        0.5: np.array([[3.0, 2.0]]),
        0.9: np.array([[4.0, 1.0]]),
    }
    fixed = fix(crossing)
    assert (fixed[0.1] <= fixed[0.5]).all() and (fixed[0.5] <= fixed[0.9]).all()
    assert (fixed[0.1] >= 0).all()


def test_conformal_quantiles_come_from_scaled_errors_per_class():
    rng = np.random.default_rng(0)
    errors = rng.normal(0, 1, (400, 4, 3))
    scales = np.ones((400, 4))
    classes = np.array(["smooth"] * 200 + ["lumpy"] * 200, dtype=object)
    errors[200:] *= 3  # lumpy series are three times as uncertain
    levels = quantile_levels((0.8,))
    table = calibrate(errors, scales, classes, levels)
    q = conformal(
        np.full((2, 3), 10.0), np.array([1.0, 2.0]), np.array(["smooth", "lumpy"]), table, levels
    )
    assert abs((q[0.9][0, 0] - 10) - 1.2816) < 0.15  # normal 90% quantile
    assert abs((q[0.9][1, 0] - 10) - 2 * 3 * 1.2816) < 0.6  # scale 2, class spread 3


def test_interval_coverage_on_simulated_demand_is_within_tolerance():
    # 150 Poisson series with a weekly pattern; forecast the last 28 days and count how
    # often the truth falls inside the 80% and 95% bands.
    y = poisson_panel(150, 400, seed=7, intermittent=40)
    history, future = y[:, :-28], y[:, -28:]
    result = run(tidy(history), config=Config(ets_engine="vectorised", xgb_rounds=40))
    inside80 = (future >= result.quantiles[0.1]) & (future <= result.quantiles[0.9])
    inside95 = (future >= result.quantiles[0.025]) & (future <= result.quantiles[0.975])
    assert 0.74 <= inside80.mean() <= 0.90, inside80.mean()
    assert 0.91 <= inside95.mean() <= 0.99, inside95.mean()
    levels = sorted(result.quantiles)
    for lo, hi in zip(levels, levels[1:], strict=False):
        assert (result.quantiles[lo] <= result.quantiles[hi]).all()
    assert (result.quantiles[0.025] >= 0).all()
    # The backtest coverage reported to users is measured out of sample, and is honest too.
    assert 0.7 <= result.summary["mean_coverage_80"] <= 0.9
    assert WEEKLY.shape == (7,)
