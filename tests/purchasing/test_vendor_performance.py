"""Vendor metrics against a hand-built history of three orders for Acme Parts (bolts list at 5.00).

O1 ordered 2026-01-05, expected 01-15, 10 of 10 received 01-13 at 5.00 — on time, 8 days.
O2 ordered 2026-02-02, expected 02-12, 18 accepted + 2 rejected of 20 on 02-14 at 4.50,
   closed short — late, 12 days.
O3 ordered 2026-03-02, expected 03-12, 5 of 10 received 03-09 at 5.50 — still open, 7 days.
"""

from datetime import UTC, datetime

import pytest

from apps.purchasing.receiving import ReceiveItem, purchase_order_receive
from apps.purchasing.replenishment import actual_lead_times
from apps.purchasing.services import LineInput, purchase_order_close, purchase_order_submit
from apps.purchasing.vendor_performance import lead_time_stats, supplier_scorecard

from .conftest import D


def at(month, day):
    return datetime(2026, month, day, 12, tzinfo=UTC)


@pytest.fixture
def history(buying, make_order):
    def order(month, day, quantity, cost, received, rejected, on):
        o = make_order(
            LineInput(buying["bolt"].pk, D(quantity), D(cost)),
            created_at=at(month, day),
            expected_date=at(month, day + 10).date(),
        )
        o = purchase_order_submit(order=o)
        purchase_order_receive(
            order=o,
            location=buying["shelf"],
            items=[
                ReceiveItem(
                    o.lines.get().pk, D(received), D(rejected), "damaged" if rejected else ""
                )
            ],
            received_at=on,
        )
        return o

    order(1, 5, 10, "5.00", 10, 0, at(1, 13))
    purchase_order_close(order=order(2, 2, 20, "4.50", 18, 2, at(2, 14)))
    order(3, 2, 10, "5.50", 5, 0, at(3, 9))
    make_order()  # a draft: counted as an order, nothing else
    return buying["supplier"]


def test_scorecard_against_the_hand_built_history(history):
    card = supplier_scorecard(history.pk)
    assert (card.orders, card.complete_orders) == (4, 2)
    assert card.on_time_rate == D("50.0")
    assert len(card.late_orders) == 1
    assert (card.lead_time.count, card.lead_time.average, card.lead_time.deviation) == (
        3,
        D("9.0"),
        D("2.6"),  # sample standard deviation of 8, 12, 7
    )
    assert card.fill_rate == D("93.3")  # (10 + 18) / (10 + 20)
    assert card.rejection_rate == D("5.7")  # 2 / (10 + 18 + 5 + 2)
    assert card.spend_by_month == {"2026-01": D(50), "2026-02": D(81), "2026-03": D("27.50")}
    assert card.price_variance_by_month == {
        "2026-01": D("0.0"),
        "2026-02": D("-10.0"),
        "2026-03": D("10.0"),
    }


def test_actual_lead_times_feed_replenishment_after_three_orders(history):
    assert lead_time_stats()[history.pk].average == D("9.0")
    assert actual_lead_times() == {history.pk: D("9.0")}


def test_a_supplier_without_history_has_empty_metrics(buying):
    card = supplier_scorecard(buying["supplier"].pk)
    assert card.orders == 0 and card.on_time_rate is None and card.lead_time is None
    assert card.fill_rate is None and card.spend_by_month == {}


def test_scorecard_page_and_pdf(web, history):
    from apps.accounts.models import Role

    client = web.login_as(Role.VIEWER)
    page = client.get(f"/purchasing/vendors/{history.pk}/").content.decode()
    assert "50.0 % of 2" in page and "9.0 days ± 2.6" in page and "93.3 %" in page
    assert "chart.umd.min.js" in page and "-10.0 %" in page
    pdf = client.get(f"/purchasing/vendors/{history.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


def test_vendor_list_has_a_fixed_query_count(web, tenant, history, django_assert_max_num_queries):
    from django_tenants.utils import schema_context

    from apps.accounts.models import Role
    from apps.catalog.services import supplier_create

    client = web.login_as(Role.MANAGER)
    with django_assert_max_num_queries(16):
        one = client.get("/purchasing/vendors/?sort=-on_time")
    assert "Acme Parts" in one.content.decode() and "50.0 %" in one.content.decode()
    with schema_context(tenant.schema_name):
        for i in range(30):
            supplier_create(name=f"Supplier {i:02d}")
    with django_assert_max_num_queries(16):
        many = client.get("/purchasing/vendors/?sort=lead_time")
    assert "Page 1 of 2" in many.content.decode()
    assert "No supplier matches" in client.get("/purchasing/vendors/?q=zzz").content.decode()
