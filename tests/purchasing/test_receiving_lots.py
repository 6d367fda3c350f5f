"""Receiving tracked products: lot + expiry, one serial per unit; untracked ones ignore both.
And a receipt fills a waiting sales backorder (the arrivals listener, end to end)."""

from datetime import date

import pytest

from apps.catalog.models import Product
from apps.inventory.integrity import stock_differences, tracking_differences
from apps.inventory.models import LotLevel, SerialNumber, StockLevel, StockMove, StockMoveLot
from apps.purchasing.errors import PurchasingError
from apps.purchasing.models import PurchaseOrder, Receipt, ReceiptLine
from apps.purchasing.receiving import ReceiveItem, purchase_order_receive
from apps.purchasing.services import purchase_order_submit
from apps.sales.models import Customer
from apps.sales.services import LineInput as SalesLine
from apps.sales.services import sales_order_confirm, sales_order_create

from .conftest import D

EXPIRY = date(2027, 3, 31)


@pytest.fixture
def tracked(buying):
    """Bolts are tracked by lot, nuts by serial number."""
    Product.objects.filter(pk=buying["bolt"].product_id).update(tracks_lots=True)
    Product.objects.filter(pk=buying["nut"].product_id).update(tracks_serials=True)
    return buying


@pytest.fixture
def order(make_order):
    return purchase_order_submit(order=make_order())


def line_ids(order):
    return {line.variant.sku: line.pk for line in order.lines.select_related("variant")}


def nothing_written(order):
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.APPROVED
    assert not Receipt.objects.exists() and not ReceiptLine.objects.exists()
    assert not StockMove.objects.exists() and not StockLevel.objects.filter(on_hand__gt=0).exists()
    assert not SerialNumber.objects.exists() and not LotLevel.objects.exists()
    assert all(line.received_quantity == 0 for line in order.lines.all())


def test_lot_and_expiry_received_show_in_lot_balances(tracked, order):
    ids = line_ids(order)
    receipt = purchase_order_receive(
        order=order,
        location=tracked["shelf"],
        items=[ReceiveItem(ids["BOLT-1"], D(6), lot="L-42", expiry=EXPIRY)],
    )
    level = LotLevel.objects.select_related("lot").get()
    assert (level.lot.number, level.lot.expiry_date, level.location, level.on_hand) == (
        "L-42",
        EXPIRY,
        tracked["shelf"],
        D(6),
    )
    move = StockMove.objects.get(reference_id=str(receipt.pk))
    assert StockMoveLot.objects.get(move=move).quantity == D(6)
    assert stock_differences() == [] and tracking_differences() == []


@pytest.mark.parametrize(
    ("lot", "expiry", "message"),
    [
        ("", EXPIRY, "BOLT-1 is tracked by lot: enter the lot number."),
        ("  ", EXPIRY, "BOLT-1 is tracked by lot: enter the lot number."),
        ("L-42", None, "BOLT-1: enter the expiry date of lot L-42."),
    ],
)
def test_lot_and_expiry_are_required_for_a_lot_tracked_product(
    tracked, order, lot, expiry, message
):
    with pytest.raises(PurchasingError) as exc:
        purchase_order_receive(
            order=order,
            location=tracked["shelf"],
            items=[ReceiveItem(line_ids(order)["BOLT-1"], D(6), lot=lot, expiry=expiry)],
        )
    assert exc.value.message == message
    nothing_written(order)


def test_serials_one_per_unit_are_put_in_stock(tracked, order):
    purchase_order_receive(
        order=order,
        location=tracked["dock"],
        items=[ReceiveItem(line_ids(order)["NUT-1"], D(3), serials=["SN-1", " SN-2 ", "SN-3"])],
    )
    assert sorted(
        SerialNumber.objects.filter(location=tracked["dock"], status="in_stock").values_list(
            "serial", flat=True
        )
    ) == ["SN-1", "SN-2", "SN-3"]
    assert tracking_differences() == []


@pytest.mark.parametrize(
    ("quantity", "serials", "message"),
    [
        (3, ["SN-1", "SN-2"], "NUT-1: 3 received needs 3 serial numbers, 2 entered."),
        (2, ["SN-1", "SN-2", "SN-3"], "NUT-1: 2 received needs 2 serial numbers, 3 entered."),
        (3, ["SN-1", "SN-2", "SN-1"], "NUT-1: serial number SN-1 is entered twice."),
        ("1.5", ["SN-1"], "NUT-1 has serial numbers: receive whole units, not 1.5."),
    ],
)
def test_serial_mismatch_is_refused_with_nothing_written(
    tracked, order, quantity, serials, message
):
    ids = line_ids(order)
    with pytest.raises(PurchasingError) as exc:
        purchase_order_receive(
            order=order,
            location=tracked["dock"],
            items=[
                ReceiveItem(ids["BOLT-1"], D(2), lot="L-1", expiry=EXPIRY),  # fine on its own
                ReceiveItem(ids["NUT-1"], D(quantity), serials=serials),
            ],
        )
    assert exc.value.message == message
    nothing_written(order)


def test_a_serial_already_in_stock_is_refused_by_name(tracked, order):
    ids = line_ids(order)
    purchase_order_receive(
        order=order,
        location=tracked["dock"],
        items=[ReceiveItem(ids["NUT-1"], D(1), serials=["SN-7"])],
    )
    with pytest.raises(PurchasingError) as exc:
        purchase_order_receive(
            order=order,
            location=tracked["shelf"],
            items=[ReceiveItem(ids["NUT-1"], D(2), serials=["SN-8", "SN-7"])],
        )
    assert "SN-7" in exc.value.message
    assert Receipt.objects.count() == 1 and SerialNumber.objects.count() == 1


def test_an_untracked_product_ignores_lot_expiry_and_serials(buying, order):
    receipt = purchase_order_receive(
        order=order,
        location=buying["shelf"],
        items=[
            ReceiveItem(line_ids(order)["BOLT-1"], D(4), lot="L-9", expiry=EXPIRY, serials=["X"])
        ],
    )
    assert StockLevel.objects.get(variant=buying["bolt"], location=buying["shelf"]).on_hand == 4
    assert receipt.lines.get().quantity == 4
    assert not LotLevel.objects.exists() and not SerialNumber.objects.exists()


def test_a_purchase_receipt_reserves_a_waiting_sales_backorder(buying, order, sync_jobs):
    customer = Customer.objects.create(name="Ada Shop", email="ada@shop.test")
    sale = sales_order_confirm(
        order=sales_order_create(
            customer=customer,
            lines=[SalesLine(buying["bolt"].pk, D(3))],
            warehouse=buying["warehouse"],
        )
    )
    assert sale.lines.get().backordered_quantity == D(3)
    with sync_jobs():
        purchase_order_receive(
            order=order,
            location=buying["shelf"],
            items=[ReceiveItem(line_ids(order)["BOLT-1"], D(5))],
        )
    line = sale.lines.get()
    assert (line.allocated_quantity, line.backordered_quantity) == (D(3), D(0))
    assert sale.events.filter(kind="reserved").exists()
    assert StockLevel.objects.get(variant=buying["bolt"], location=buying["shelf"]).reserved == 3
    assert stock_differences() == []
