import numpy as np

from ml.revenue import revenue_forecast


def test_revenue_is_price_times_forecast_and_bands_keep_correlation():
    point = np.array([[10.0, 10.0], [5.0, 5.0]])
    price = np.array([2.0, 4.0])  # 20 + 20 = 40 a day
    rng = np.random.default_rng(0)
    common = rng.normal(0, 1, (50, 2))  # one shock moves both items together
    errors = np.stack([common * 3, common * 1.5])  # series × origins × horizon
    out = revenue_forecast(point, price, errors)
    np.testing.assert_allclose(out["revenue"], [40, 40])
    # Fully correlated: revenue error sd = 2*3 + 4*1.5 = 12; independent would be ~8.5.
    width = out["upper_80"][0] - out["lower_80"][0]
    assert 2 * 1.2816 * 12 * 0.8 < width < 2 * 1.2816 * 12 * 1.2
    assert (out["lower_95"] <= out["lower_80"]).all() and (out["upper_80"] <= out["upper_95"]).all()
    assert (out["lower_95"] >= 0).all()


def test_revenue_without_backtest_has_no_invented_band():
    out = revenue_forecast(np.ones((1, 3)), np.array([5.0]), None)
    np.testing.assert_array_equal(out["lower_80"], out["revenue"])
