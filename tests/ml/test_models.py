import numpy as np
import pytest

from ml.models import (
    ETS,
    SBA,
    TSB,
    Context,
    Croston,
    Ensemble,
    GlobalXGB,
    HoltWinters,
    MovingAverage,
    Naive,
    SeasonalNaive,
    combine,
    stack_weights,
)
from tests.ml.conftest import WEEKLY


def test_seasonal_naive_repeats_a_pure_weekly_series_exactly(seasonal):
    fc = SeasonalNaive().fit(seasonal[:, :-28]).forecast(28)
    np.testing.assert_allclose(fc.point, seasonal[:, -28:])


def test_holt_winters_forecasts_a_pure_seasonal_series_near_exactly(seasonal):
    fc = HoltWinters().fit(seasonal[:, :-28]).forecast(28)
    np.testing.assert_allclose(fc.point, seasonal[:, -28:], rtol=0.02, atol=0.05)


def test_statsmodels_ets_forecasts_a_seasonal_series_near_exactly_with_intervals(seasonal):
    rng = np.random.default_rng(1)
    y = seasonal[1:2] + rng.normal(0, 0.05, seasonal[1:2].shape)
    fc = ETS(kind="additive").fit(y[:, :-14]).forecast(14)
    np.testing.assert_allclose(fc.point, seasonal[1:2, -14:], rtol=0.05, atol=0.3)
    assert fc.notes == []
    assert (fc.quantiles[0.025] <= fc.point).all() and (fc.point <= fc.quantiles[0.975]).all()
    assert (fc.quantiles[0.1] >= fc.quantiles[0.025]).all()


def test_ets_falls_back_to_seasonal_naive_on_too_short_history_and_says_so():
    y = np.array([[1.0, 2, 3, 4, 5, 6, 7, 1, 2, 3]])
    fc = ETS().fit(y).forecast(7)
    np.testing.assert_allclose(fc.point, [[4, 5, 6, 7, 1, 2, 3]])
    assert "fell back to seasonal naive" in fc.notes[0]


def test_naive_and_moving_average():
    y = np.array([[np.nan, 1.0, 2.0, 3.0, 6.0]])
    assert Naive().fit(y).forecast(3).point.tolist() == [[6, 6, 6]]
    assert MovingAverage(window=3).fit(y).forecast(2).point.tolist() == [[11 / 3, 11 / 3]]
    assert MovingAverage(window=28).fit(y).forecast(1).point[0, 0] == 3.0


# Hand-worked (alpha = beta = 0.1) on demand 0, 3, 0, 0, 5, 0:
# first demand on day 2 -> z = 3, p = 2. Day 5: q = 3 -> z = 3.2, p = 2.1.
# Croston = 3.2 / 2.1; SBA = 0.95 x that.
# TSB: d = 1/2, then 0.45, 0.405, 0.4645 (demand, z = 3.2), 0.41805 -> 0.41805 x 3.2.
HAND = np.array([[np.nan, 0, 3, 0, 0, 5, 0]])


def test_croston_and_sba_hand_worked():
    assert Croston(0.1).fit(HAND).forecast(2).point[0, 0] == pytest.approx(3.2 / 2.1)
    assert SBA(0.1).fit(HAND).forecast(2).point[0, 1] == pytest.approx(0.95 * 3.2 / 2.1)


def test_tsb_hand_worked():
    assert TSB(0.1, 0.1).fit(HAND).forecast(1).point[0, 0] == pytest.approx(0.41805 * 3.2)


def test_intermittent_methods_forecast_zero_without_any_demand():
    y = np.zeros((1, 20))
    for model in (Croston(), SBA(), TSB()):
        assert model.fit(y).forecast(3).point.tolist() == [[0, 0, 0]]


def test_global_xgboost_learns_the_weekly_pattern_across_series():
    # Noisy counts around a known weekly mean: the forecast should track the mean pattern
    # (noise-free data makes recursive trees brittle, real demand is never noise-free).
    rng = np.random.default_rng(5)
    level = rng.uniform(3, 30, 40)
    days = np.arange(210)
    mean = level[:, None] * WEEKLY[days % 7][None, :]
    y = rng.poisson(mean).astype(float)
    fc = GlobalXGB(rounds=80, threads=1).fit(y[:, :-14], Context(seed=3)).forecast(14)
    truth = mean[:, -14:]
    wape = np.abs(fc.point - truth).sum() / truth.sum()
    flat = MovingAverage().fit(y[:, :-14]).forecast(14).point
    assert wape < 0.12
    assert wape < 0.6 * np.abs(flat - truth).sum() / truth.sum()
    assert (fc.point >= 0).all()


def test_global_xgboost_uses_promotion_when_present():
    rng = np.random.default_rng(0)
    t = 200
    promo = (rng.random((6, t + 14)) < 0.15).astype(float)
    y = rng.poisson(4 + 12 * promo[:, :t]).astype(float)
    model = GlobalXGB(rounds=60, threads=1).fit(y, Context(promo=promo, seed=0))
    point = model.forecast(14).point
    on, off = promo[:, t:] == 1, promo[:, t:] == 0
    assert point[on].mean() > 2 * point[off].mean()


def test_ensemble_median_and_weights():
    a, b, c = (np.full((1, 2), v) for v in (1.0, 2.0, 10.0))
    assert combine([a, b, c]).tolist() == [[2, 2]]
    assert combine([a, c], np.array([[3.0, 1.0]])).tolist() == [[3.25, 3.25]]
    ens = Ensemble([Naive(), SeasonalNaive(), MovingAverage()]).fit(np.ones((2, 30)))
    assert ens.forecast(3).point.shape == (2, 3)


def test_global_xgboost_remembers_last_years_peak_with_long_history():
    rng = np.random.default_rng(2)
    t = 754
    mean = np.full((30, t), 5.0)
    for year in range(3):
        mean[:, 16 + 364 * year : 23 + 364 * year] = 20.0  # the same week every year
    y = rng.poisson(mean).astype(float)
    point = GlobalXGB(rounds=60, threads=1).fit(y[:, :740], Context(seed=1)).forecast(14).point
    peak = point[:, 4:11].mean()  # days 744-750: the peak week again
    assert peak > 2.5 * np.concatenate([point[:, :4], point[:, 11:]], axis=1).mean()


def test_multiplicative_ets_simulates_its_intervals(seasonal):
    rng = np.random.default_rng(4)
    y = seasonal[2:3] * rng.uniform(0.9, 1.1, seasonal[2:3].shape)  # positive, proportional noise
    fc = ETS(kind="multiplicative").fit(y[:, :-7], Context(seed=1)).forecast(7)
    assert fc.notes == []
    np.testing.assert_allclose(fc.point, seasonal[2:3, -7:], rtol=0.15)
    assert (fc.quantiles[0.025] < fc.quantiles[0.975]).all()


def test_global_xgboost_assumes_no_promotion_where_none_is_planned():
    rng = np.random.default_rng(1)
    t = 200
    promo = (rng.random((6, t)) < 0.15).astype(float)
    promo[:, -3:] = 1  # a promotion running on the last history days, none planned after
    y = rng.poisson(4 + 12 * promo).astype(float)
    point = GlobalXGB(rounds=60, threads=1).fit(y, Context(promo=promo, seed=0)).forecast(14).point
    assert point.mean() < 7  # ~4 a day, not the ~16 of a promotion day


def test_global_xgboost_reads_the_weekday_profile_of_noisy_series():
    # Each series peaks on its own weekday and noise hides it in any single lag; the
    # same-weekday means over 4 and 12 weeks recover it (lags alone: ~0.88 of the flat error).
    rng = np.random.default_rng(6)
    t = 300
    profile = np.array([0.5, 0.7, 0.9, 1.0, 1.2, 1.6, 1.1])
    shift = rng.integers(0, 7, 40)
    days = np.arange(t + 14)
    mean = rng.uniform(2, 20, 40)[:, None] * profile[(days[None, :] + shift[:, None]) % 7]
    y = rng.negative_binomial(2, 2 / (2 + mean)).astype(float)
    point = GlobalXGB(rounds=80, threads=1).fit(y[:, :t], Context(seed=0)).forecast(14).point
    truth = mean[:, t:]
    flat = np.repeat(y[:, :t].mean(axis=1, keepdims=True), 14, axis=1)
    assert np.abs(point - truth).mean() < 0.8 * np.abs(flat - truth).mean()


def test_stacked_weights_favour_the_accurate_member_and_drop_a_useless_one():
    rng = np.random.default_rng(3)
    actual = rng.poisson(10, (50, 4, 28)).astype(float)
    scale = np.full((50, 4), 4.0)
    good = actual + rng.normal(0, 1, actual.shape)
    fair = actual + rng.normal(0, 3, actual.shape)
    useless = np.full_like(actual, 40.0)
    w = stack_weights([good, fair, useless], actual, scale)
    assert w.sum() == pytest.approx(1)
    assert w[2] == pytest.approx(0, abs=1e-3)
    assert 0.8 < w[0] < 0.95  # ~ 9/10: inverse error variances 1 and 1/9
    # Two equally good members with independent errors share the weight.
    a = actual + rng.normal(0, 2, actual.shape)
    b = actual + rng.normal(0, 2, actual.shape)
    assert stack_weights([a, b], actual, scale) == pytest.approx([0.5, 0.5], abs=0.05)


def test_stacked_weights_ignore_unknown_days():
    actual = np.full((3, 2, 7), 5.0)
    actual[0, 0, :3] = np.nan  # stock-out days
    w = stack_weights([actual.copy(), np.zeros_like(actual)], actual, np.ones((3, 2)))
    assert w == pytest.approx([1, 0], abs=1e-3)
