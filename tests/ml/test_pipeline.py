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
    # The stacked ensemble's weights per demand class are reported and sum to 1.
    weights = result.summary["ensemble_weights"]
    assert weights and all(sum(w.values()) == pytest.approx(1, abs=0.01) for w in weights.values())


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


def _promo_history(seed: int = 5, n: int = 12, t: int = 210):
    """Poisson demand that triples on promotion days; the last history day is a promotion."""
    rng = np.random.default_rng(seed)
    promo = rng.random((n, t + 14)) < 0.12
    promo[:, t - 1] = True
    y = rng.poisson(np.where(promo, 15.0, 5.0)).astype(float)
    history = tidy(y[:, :t], promo=promo[:, :t])
    future_dates = pd.date_range("2024-01-01", periods=t + 14, freq="D")[t:]
    planned = pd.DataFrame(
        {
            "series_id": np.repeat([f"s{i:03d}" for i in range(n)], 14),
            "date": np.tile(future_dates, n),
            "promo": promo[:, t:].ravel(),
        }
    )
    return history, planned, promo[:, t:]


def test_planned_promotions_raise_the_forecast_on_their_days():
    history, planned, future_promo = _promo_history()
    config = Config(ets_engine="vectorised", xgb_rounds=60, use_xgboost=True)
    result = run(history, horizon=14, config=config, planned=planned)
    xgb = result.series["model"].isin(["xgboost", "ensemble"]).to_numpy()
    assert xgb.any()  # a model that reads promotions was chosen for some series
    on, off = future_promo[xgb], ~future_promo[xgb]
    assert result.point[xgb][on].mean() > 1.8 * result.point[xgb][off].mean()


def test_without_a_plan_a_promotion_on_the_last_day_is_not_carried_forward():
    history, _, _ = _promo_history()
    result = run(history, horizon=14, config=Config(ets_engine="vectorised", xgb_rounds=60))
    # No plan means no promotion: the forecast stays near the ordinary 5 a day (plus the
    # share of promotion days the history had), far below the 15 of a promotion day.
    assert result.point.mean() < 8


def test_a_bad_plan_is_a_clear_error():
    history, planned, _ = _promo_history(n=2)
    with pytest.raises(DataError, match="without history"):
        run(history, horizon=14, config=FAST, planned=planned.assign(series_id="nope"))
    late = planned.assign(date=planned["date"] + pd.Timedelta(days=30))
    with pytest.raises(DataError, match="must fall in the forecast days"):
        run(history, horizon=14, config=FAST, planned=late)
    with pytest.raises(DataError, match="missing column"):
        run(history, horizon=14, config=FAST, planned=planned.drop(columns="date"))


@pytest.mark.parametrize("kind", ["stacked", "median", "skill"])
def test_every_ensemble_kind_is_backtested_and_forecasts(kind):
    y = poisson_panel(16, 200, seed=8)
    config = Config(ets_engine="vectorised", xgb_rounds=30, ensemble=kind, selection_prior=0)
    result = run(tidy(y), horizon=7, config=config)
    assert result.point.shape == (16, 7) and np.isfinite(result.point).all()
    ens = result.metrics[result.metrics["model"] == "ensemble"]
    assert len(ens) == 16 and ens["rmsse"].notna().all()
    assert ("ensemble_weights" in result.summary) and (
        bool(result.summary["ensemble_weights"]) == (kind == "stacked")
    )


def test_backtest_sees_later_promotions_only_when_plans_are_given():
    history, planned, _ = _promo_history(n=8)
    last_days = history["date"] >= history["date"].max() - pd.Timedelta(days=13)
    moved = history.assign(promo=np.where(last_days, ~history["promo"], history["promo"]))
    config = Config(ets_engine="vectorised", xgb_rounds=30)

    def xgb_scores(frame, plan):
        metrics = run(frame, horizon=14, config=config, planned=plan).metrics
        return metrics[metrics["model"] == "xgboost"]["rmsse"].to_numpy()

    # The last origin's horizon is the last 14 days: without plans its forecast cannot know
    # their promotions (neither will the real forecast), so flipping them changes no score.
    np.testing.assert_array_equal(xgb_scores(history, None), xgb_scores(moved, None))
    assert not np.array_equal(xgb_scores(history, planned), xgb_scores(moved, planned))
