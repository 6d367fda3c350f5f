"""Demand from the ledger: one mug, hand-built moves.

day -10 receive 10, day -9 ship 3, day -8 customer returns 1 and ship 2, day -7 ship 6
(balance 0), days -6..-1 empty shelf, nothing shipped -> stock-out days.
"""

from apps.forecasting.demand import demand_history
from apps.inventory.models import StockMove

from .conftest import on, post

K = StockMove.Kind


def test_shipments_net_of_returns_with_stockout_days_flagged(shop):
    mug, other = shop["variants"]
    shelf = shop["shelf"]
    post(K.RECEIPT, mug, shelf, 10, on(10))
    post(K.SHIPMENT, mug, shelf, -3, on(9))
    post(K.RETURN, mug, shelf, 1, on(8))
    post(K.SHIPMENT, mug, shelf, -2, on(8))
    post(K.SHIPMENT, mug, shelf, -6, on(7))
    post(K.RECEIPT, other, shelf, 5, on(3))  # stocked but never sold: not a series
    frame = demand_history(days=15)
    assert set(frame["series_id"]) == {mug.pk}
    by_day = {row.date.date(): row for row in frame.itertuples()}
    assert by_day[on(9).date()].quantity == 3
    assert by_day[on(8).date()].quantity == 1  # 2 shipped - 1 returned
    assert by_day[on(7).date()].quantity == 6
    assert not by_day[on(7).date()].stockout
    out = [d for d, row in by_day.items() if row.stockout]
    assert out == [on(d).date() for d in range(6, 0, -1)]
    # The series starts when stock first arrived, not at the start of the window.
    assert min(by_day) == on(10).date()


def test_no_sales_means_an_empty_frame(shop):
    assert demand_history().empty


def test_extraction_is_three_queries_whatever_the_history(
    sales_history, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        frame = demand_history()
    assert frame["series_id"].nunique() == 2
