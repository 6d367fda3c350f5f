"""Each inventory and purchasing widget's figures against hand-built data."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.accounts.models import Role
from apps.dashboard.context import WidgetContext
from apps.dashboard.registry import widget_get
from apps.inventory.counts import stock_count_create
from apps.inventory.models import StockMove
from apps.inventory.valuation import stock_valuation, stock_valuation_totals
from apps.purchasing.receiving import ReceiveItem, purchase_order_receive
from apps.purchasing.services import purchase_order_cancel
from tests.conftest import make_user

from .conftest import TODAY, D

Kind = StockMove.Kind


@pytest.fixture
def owner_ctx(tenant, shop):
    user = make_user(tenant, Role.OWNER, email="boss@alpha.test")
    return WidgetContext(
        user=user,
        date_from=dt.date(2026, 3, 16),
        date_to=dt.date(2026, 3, 18),
        period="custom",
        today=TODAY,
    )


@pytest.fixture
def clerk_ctx(tenant, owner_ctx):
    user = make_user(tenant, Role.CLERK, email="picker@alpha.test")
    return WidgetContext(
        user=user, date_from=owner_ctx.date_from, date_to=owner_ctx.date_to, today=TODAY
    )


def data(key, ctx):
    return widget_get(key).data(ctx)


def test_low_stock_counts_variants_at_or_below_their_reorder_point(shop, post, owner_ctx):
    bolt, nut, gear = (shop["variants"][k] for k in ("bolt", "nut", "gear"))
    for variant, point in ((bolt, 10), (nut, 5), (gear, 3)):
        variant.reorder_point = D(point)
        variant.save(update_fields=["reorder_point"])
    post(Kind.RECEIPT, [("bolt", "main", 4, 5), ("nut", "east", 50, 1)])

    result = data("low_stock", owner_ctx)

    assert result["count"] == 2  # gear (none at all) and bolt (4 ≤ 10); nut is fine
    assert [(r["variant_sku"], r["on_hand"]) for r in result["lowest"]] == [
        ("GEAR", 0),
        ("BOLT", 4),
    ]


def test_stock_value_totals_and_splits_by_warehouse(shop, post, owner_ctx):
    post(Kind.RECEIPT, [("bolt", "main", 10, 5), ("nut", "east", 100, 1), ("gear", "main", 2, 20)])
    post(Kind.SHIPMENT, [("bolt", "main", -4, None)])

    result = data("stock_value", owner_ctx)

    assert result["totals"]["average_value"] == D(170)  # 6×5 + 2×20 + 100×1
    assert result["totals"]["fifo_value"] == D(170)
    assert result["totals"]["quantity"] == D(108)
    by_code = {r["code"]: r["average_value"] for r in result["warehouses"]}
    assert by_code == {"EAST": D(100), "MAIN": D(70)}
    assert [r["code"] for r in result["warehouses"]] == ["EAST", "MAIN"]

    chart = widget_get("stock_value").chart(owner_ctx, result)
    assert chart["labels"] == ["EAST", "MAIN"]
    assert chart["datasets"][0]["data"] == [100.0, 70.0]


def test_stock_value_agrees_with_the_valuation_report_when_fifo_and_average_differ(
    shop, post, owner_ctx
):
    # Bolts bought at 5 then 8 (average 6.5); FIFO ships the 5s first.
    post(Kind.RECEIPT, [("bolt", "main", 10, 5)])
    post(Kind.RECEIPT, [("bolt", "east", 10, 8)])
    post(Kind.SHIPMENT, [("bolt", "main", -6, None)])

    result = data("stock_value", owner_ctx)

    assert result["totals"]["average_value"] == D(91)  # 14 × 6.5
    assert result["totals"]["fifo_value"] == D(100)  # 4 × 5 + 10 × 8
    report = stock_valuation_totals()
    assert result["totals"]["average_value"] == report["average_value"].quantize(D("0.01"))
    assert result["totals"]["fifo_value"] == report["fifo_value"].quantize(D("0.01"))
    rows = {r["location__warehouse__code"]: r for r in stock_valuation(group="warehouse")}
    for row in result["warehouses"]:
        assert row["average_value"] == rows[row["code"]]["average_value"].quantize(D("0.01"))
        assert row["fifo_value"] == rows[row["code"]]["fifo_value"].quantize(D("0.01"))


def test_stock_value_is_not_for_clerks(owner_ctx, clerk_ctx):
    widget = widget_get("stock_value")
    assert widget.visible_to(owner_ctx.user)
    assert not widget.visible_to(clerk_ctx.user)


def test_open_purchase_orders_count_and_value_in_company_currency(order, owner_ctx, clerk_ctx):
    order([("bolt", 10)], expected=TODAY)  # 50.00, approved
    order([("nut", 12)], expected=TODAY, approve=False)  # 12.00, draft
    cancelled = order([("gear", 1)], expected=TODAY)  # 20.00, cancelled: not open
    purchase_order_cancel(order=cancelled, reason="Not needed")

    result = data("open_purchase_orders", owner_ctx)
    assert (result["count"], result["draft"], result["awaiting_approval"]) == (2, 1, 0)
    assert result["value"] == D("62.00")

    operational = data("open_purchase_orders", clerk_ctx)
    assert operational["count"] == 2
    assert "value" not in operational


def test_receipts_expected_buckets_overdue_today_and_this_week(shop, order, owner_ctx):
    # TODAY is Wednesday 18 March; the week runs Monday 16 to Sunday 22.
    overdue = order([("bolt", 3)], expected=dt.date(2026, 3, 17))
    due_today = order([("bolt", 10), ("nut", 12)], expected=TODAY)
    order([("gear", 1)], expected=dt.date(2026, 3, 22))
    order([("gear", 5)], expected=dt.date(2026, 3, 23))  # next week
    order([("gear", 7)], expected=TODAY, approve=False)  # a draft is not coming
    bolt_line = due_today.lines.get(variant=shop["variants"]["bolt"])
    purchase_order_receive(
        order=due_today, location=shop["bins"]["main"], items=[ReceiveItem(bolt_line.pk, D(4))]
    )

    result = data("receipts_expected", owner_ctx)

    assert (result["overdue"], result["today"], result["this_week"]) == (1, 1, 1)
    assert [(o["number"], o["outstanding"]) for o in result["orders"]] == [
        (overdue.number, D(3)),
        (due_today.number, D(18)),  # 10 − 4 bolts + 12 nuts
    ]


def test_counts_open_lists_counts_still_to_post(shop, post, owner_ctx):
    post(Kind.RECEIPT, [("bolt", "main", 4, 5), ("nut", "main", 2, 1)])
    count = stock_count_create(warehouse=shop["warehouses"]["main"], only_in_stock=True)

    result = data("counts_open", owner_ctx)

    assert result["count"] == 1
    (row,) = result["counts"]
    assert (row.pk, row.line_count, row.counted) == (count.pk, 2, 0)


def test_stock_movements_sums_in_and_out_per_day_inside_the_range(post, owner_ctx):
    post(Kind.RECEIPT, [("bolt", "main", 10, 5)], day=dt.date(2026, 3, 15))  # before
    post(Kind.RECEIPT, [("bolt", "main", 10, 5), ("nut", "east", 100, 1)], day=dt.date(2026, 3, 16))
    post(Kind.SHIPMENT, [("bolt", "main", -4, None)], day=dt.date(2026, 3, 17))
    post(Kind.SHIPMENT, [("nut", "east", -1, None)], day=TODAY, hour=23)  # last hour: in
    post(Kind.SHIPMENT, [("nut", "east", -9, None)], day=dt.date(2026, 3, 19), hour=0)  # after

    result = data("stock_movements", owner_ctx)

    assert [
        (r["day"].day, r["quantity_in"], r["quantity_out"], r["moves"]) for r in result["days"]
    ] == [
        (16, D(110), D(0), 2),
        (17, D(0), D(4), 1),
        (18, D(0), D(1), 1),
    ]
    assert (result["total_in"], result["total_out"], result["moves"]) == (D(110), D(5), 4)
    chart = widget_get("stock_movements").chart(owner_ctx, result)
    assert chart["labels"] == ["2026-03-16", "2026-03-17", "2026-03-18"]
    assert chart["datasets"][1]["data"] == [0.0, 4.0, 1.0]


def test_top_moved_ranks_by_quantity_in_and_out_leaving_transfers_out(post, owner_ctx):
    post(Kind.RECEIPT, [("bolt", "main", 10, 5), ("nut", "east", 100, 1), ("gear", "main", 2, 20)])
    post(Kind.SHIPMENT, [("bolt", "main", -4, None)])
    post(Kind.TRANSFER_OUT, [("gear", "main", -2, None)])
    post(Kind.TRANSFER_IN, [("gear", "east", 2, None)])

    rows = data("top_moved", owner_ctx)["rows"]

    assert [(r["variant__sku"], r["quantity_in"], r["quantity_out"]) for r in rows] == [
        ("NUT", D(100), D(0)),
        ("BOLT", D(10), D(4)),
        ("GEAR", D(2), D(0)),
    ]
