import numpy as np
import pytest

from ml.policy import (
    PolicyError,
    abc,
    demand_cv,
    eoq,
    order_quantity,
    order_up_to,
    plan,
    reorder_point,
    safety_stock,
    safety_stock_from_quantile,
    stockout_forecast,
    xyz,
)


def test_safety_stock_and_reorder_point_worked_example():
    # sigma 10/day, lead time 9 days, 95%: 1.6449 x 10 x 3 = 49.35
    ss = safety_stock(10, 9, 0.95)
    assert ss == pytest.approx(49.346, abs=0.01)
    # with lead-time variability (d = 20/day, sd 2 days): sqrt(9*100 + 400*4) = 50
    assert safety_stock(10, 9, 0.95, demand_daily=20, lead_time_sd=2) == pytest.approx(
        1.6449 * 50, abs=0.01
    )
    assert reorder_point(20 * 9, ss) == pytest.approx(229.35, abs=0.01)
    assert safety_stock_from_quantile(230, 180) == 50
    assert order_up_to(20, 9, 7, 49.35) == pytest.approx(369.35)


def test_eoq_and_order_quantity_worked_example():
    # D = 1200/yr, S = 100/order, unit cost 10, holding 24%/yr -> sqrt(240000 / 2.4) = 316.2
    q = eoq(1200, 100, 10, 0.24)
    assert q == pytest.approx(316.23, abs=0.01)
    assert order_quantity(q, moq=0, pack_size=12) == 324  # 26.4 packs -> 27
    assert order_quantity(q, moq=400, pack_size=12) == 408  # MOQ wins, 34 packs
    assert order_quantity(24.0, pack_size=12) == 24  # exact packs are not rounded up
    assert eoq(0, 100, 10, 0.24) == 0
    with pytest.raises(PolicyError, match="Holding cost"):
        eoq(100, 10, 0, 0.24)


def test_abc_by_value_share_and_xyz_by_variability():
    assert abc([50, 30, 10, 6, 4]).tolist() == ["A", "A", "B", "B", "C"]
    assert abc([0, 10]).tolist() == ["C", "A"]
    assert xyz([0.2, 0.5, 0.9, 1.5, np.inf]).tolist() == ["X", "X", "Y", "Z", "Z"]
    steady = np.tile([10.0] * 7, 8)[None, :]
    assert demand_cv(steady)[0] == 0


def test_stockout_date_and_probability():
    point = np.full((3, 10), 10.0)
    sigma = np.zeros((3, 10))
    out = stockout_forecast(point, sigma, [35, 1000, 0])
    assert out["day"][0] == 4 and out["probability"][0] == 1.0  # 40 > 35 on day 4
    assert np.isnan(out["day"][1]) and out["probability"][1] == 0.0
    assert out["day"][2] == 1
    # With uncertainty: stock 50 at 10/day is a coin flip on day 5.
    noisy = stockout_forecast(point[:1], np.full((1, 10), 3.0), [50])
    assert noisy["day"][0] == 5
    assert noisy["probability_by_day"][0, 4] == pytest.approx(0.5)
    assert 0.99 < noisy["probability"][0] <= 1.0
    assert (np.diff(noisy["probability_by_day"][0]) >= 0).all()


def test_plan_puts_it_together():
    point = np.array([[10.0] * 28, [1.0] * 28])
    quantiles = {0.1: point * 0.5, 0.9: point * 1.5}
    history = np.array([[10.0] * 70, [0, 2.0] * 35])
    table = plan(point, quantiles, history, unit_cost=[5, 5], stock=[100, 100], lead_time_days=7)
    assert table["abc"].tolist() == ["A", "B"]
    assert table["lead_time_demand"].tolist() == [70, 7]
    assert table.loc[0, "service_level"] == 0.98
    assert (table["reorder_point"] > table["lead_time_demand"]).all()
    assert table.loc[0, "stockout_day"] == 10  # 100 units at 10/day
    with pytest.raises(PolicyError, match="Lead time longer"):
        plan(point, quantiles, history, unit_cost=5, stock=[1, 1], lead_time_days=40)
