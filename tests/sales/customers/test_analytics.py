"""Customer value and RFM segmentation on hand-built sales (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from apps.sales.customers.analytics import customer_value
from apps.sales.customers.rfm import (
    AT_RISK,
    CANT_LOSE,
    CHAMPIONS,
    LOST,
    NEW,
    SEGMENTS,
    Purchases,
    rfm_scores,
    segment_for,
)

TODAY = date(2026, 12, 1)
D = Decimal


def test_customer_without_orders():
    value = customer_value([], today=TODAY)
    assert value.orders == 0 and value.revenue == D("0.00")
    assert value.predicted_clv is None and value.last_order is None


def test_worked_example_over_two_years():
    # 4 orders, 100 + 200 + 150 + 50 = 500; first order 730.5 days ago -> tenure 2 years.
    sales = [
        (date(2024, 12, 1), D("100")),
        (date(2025, 6, 1), D("200")),
        (date(2026, 1, 1), D("150")),
        (date(2026, 11, 1), D("50")),
    ]
    value = customer_value(sales, today=TODAY)
    assert value.revenue == D("500.00")
    assert value.average_order_value == D("125.00")
    # 730 days of tenure: 4 / (730 / 365.25) = 2.0013… orders a year
    assert value.purchase_frequency_per_year == D("2.00")
    # 125 × 2.00137 × 3 = 750.51
    assert value.predicted_clv == D("750.51")
    assert value.last_order == date(2026, 11, 1)
    assert value.days_since_last_order == 30
    # (2026-11-01 − 2024-12-01) = 700 days over 3 gaps
    assert value.average_days_between_orders == D("233.3")


def test_new_customer_counts_at_least_a_year_of_tenure():
    value = customer_value([(date(2026, 11, 24), D("80"))], today=TODAY)
    assert value.purchase_frequency_per_year == D("1.00")
    assert value.predicted_clv == D("240.00")  # 80 × 1 × 3
    assert value.average_days_between_orders is None


def test_expected_lifetime_is_a_parameter():
    value = customer_value(
        [(date(2026, 11, 24), D("80"))], today=TODAY, expected_lifetime_years=D("5")
    )
    assert value.predicted_clv == D("400.00")


def test_order_of_input_does_not_matter():
    a = [(date(2026, 1, 1), D("10")), (date(2025, 1, 1), D("20"))]
    assert customer_value(a, today=TODAY) == customer_value(a[::-1], today=TODAY)


def _p(orders, revenue, days_ago):
    from datetime import timedelta

    return Purchases(orders, D(revenue), TODAY - timedelta(days=days_ago))


def test_quintiles_on_five_distinct_customers():
    purchases = {
        1: _p(10, "1000", 1),
        2: _p(8, "800", 10),
        3: _p(6, "600", 30),
        4: _p(4, "400", 90),
        5: _p(2, "200", 365),
    }
    scores = rfm_scores(purchases, today=TODAY)
    assert [scores[k].code for k in range(1, 6)] == ["555", "444", "333", "222", "111"]
    assert scores[1].segment == CHAMPIONS
    assert scores[5].segment == LOST
    assert scores[1].recency_days == 1


def test_ties_share_a_score_and_customers_without_orders_are_left_out():
    # Eight one-time buyers and two repeat buyers: the one-time buyers share the middle
    # of places 1-8 (percent rank 3.5 / 9 -> F = 2); the repeat buyers get F = 5.
    purchases = {k: _p(1, "50", k) for k in range(1, 9)}
    purchases[9] = _p(3, "50", 20)
    purchases[10] = _p(4, "50", 30)
    purchases[11] = Purchases(0, D("0"), TODAY)
    scores = rfm_scores(purchases, today=TODAY)
    assert 11 not in scores
    assert {scores[k].f for k in range(1, 9)} == {2}
    assert (scores[9].f, scores[10].f) == (5, 5)
    assert {s.m for s in scores.values()} == {3}  # everyone spent the same
    assert scores[1].r == 5 and scores[10].r == 1


def test_a_lone_customer_scores_in_the_middle():
    scores = rfm_scores({1: _p(1, "10", 1)}, today=TODAY)
    assert scores[1].code == "333"
    assert scores[1].segment == "need_attention"


def test_ten_customers_fill_each_quintile_twice():
    purchases = {k: _p(k, str(k * 10), 100 - k) for k in range(1, 11)}
    scores = rfm_scores(purchases, today=TODAY)
    assert [scores[k].f for k in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [scores[k].r for k in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


@pytest.mark.parametrize(
    ("r", "f", "m", "segment"),
    [
        (5, 5, 5, CHAMPIONS),
        (5, 4, 3, CHAMPIONS),  # FM = ceil(3.5) = 4
        (5, 3, 3, "potential_loyalist"),
        (5, 1, 1, NEW),
        (4, 1, 1, "promising"),
        (4, 5, 4, "loyal"),
        (3, 4, 4, "loyal"),
        (3, 3, 3, "need_attention"),
        (3, 2, 1, "about_to_sleep"),
        (2, 4, 3, AT_RISK),
        (1, 3, 3, AT_RISK),
        (1, 5, 5, CANT_LOSE),
        (2, 5, 4, CANT_LOSE),  # FM = ceil(4.5) = 5
        (2, 1, 2, "hibernating"),
        (1, 2, 2, LOST),
    ],
)
def test_segment_boundaries(r, f, m, segment):
    assert segment_for(r, f, m) == segment


def test_every_cell_of_the_grid_has_a_named_segment():
    for r in range(1, 6):
        for f in range(1, 6):
            for m in range(1, 6):
                assert segment_for(r, f, m) in SEGMENTS
