"""Picking, partial shipments, delivery, invoices and payments, returns."""

import pytest

from apps.inventory.integrity import stock_differences
from apps.inventory.models import Reservation, StockLevel, StockMove
from apps.sales.errors import SalesError
from apps.sales.invoicing import invoice_create, open_balance, payment_record
from apps.sales.models import Invoice, PickList, SalesOrder
from apps.sales.picking import pick_confirm, pick_lists_create, pick_rows, walking_key
from apps.sales.returns import ReturnItem, sales_return_create
from apps.sales.services import (
    LineInput,
    sales_order_cancel,
    sales_order_confirm,
    sales_order_deliver,
    sales_order_pack,
)
from apps.sales.shipping import ShipItem, shipment_create, shipment_deliver
from tests.sales.conftest import D, receive

Status = SalesOrder.Status


def on_hand(variant, location):
    return StockLevel.objects.get(variant=variant, location=location).on_hand


@pytest.fixture
def confirmed(selling, make_order):
    shirt, mug = selling["shirt"], selling["mug"]
    receive(shirt, selling["a10"], 2)
    receive(shirt, selling["a2"], 2)
    receive(mug, selling["a2"], 10)
    order = make_order(
        LineInput(shirt.pk, D(4)), LineInput(mug.pk, D(5)), warehouse=selling["main"]
    )
    return sales_order_confirm(order=order)


def test_walking_order_compares_numbers_as_numbers():
    assert sorted(["A-10", "A-2", "B-1", "A-1"], key=walking_key) == ["A-1", "A-2", "A-10", "B-1"]


def test_batched_pick_list_groups_by_bin_in_walking_order(selling, make_order, confirmed):
    other = sales_order_confirm(order=make_order(LineInput(selling["mug"].pk, D(3))))
    (pick_list,) = pick_lists_create(orders=[confirmed, other])
    rows = pick_rows(pick_list)
    assert [r["location"].code for r in rows] == ["A-2", "A-10"]
    a2 = {item["variant"].sku: item for item in rows[0]["items"]}
    assert a2["MUG-1"]["quantity"] == D(8)  # 5 + 3, both orders, one stop
    assert sorted(n for n, _ in a2["MUG-1"]["orders"]) == sorted([confirmed.number, other.number])
    assert SalesOrder.objects.get(pk=confirmed.pk).status == Status.PICKING
    # Nothing left to list a second time.
    with pytest.raises(SalesError, match="Nothing to pick"):
        pick_lists_create(orders=[confirmed])


def test_scan_confirms_bin_then_item_and_refuses_wrong_scans(selling, confirmed):
    (pick_list,) = pick_lists_create(orders=[confirmed])
    first = pick_list.lines.first()
    assert first.location.code == "A-2"
    with pytest.raises(SalesError, match="Wrong bin"):
        pick_confirm(line=first, bin_code="A-10", item_code=first.variant.sku)
    with pytest.raises(SalesError, match="Wrong item"):
        pick_confirm(line=first, bin_code="a-2", item_code="NOPE")
    first.refresh_from_db()
    assert first.picked_quantity == 0
    for line in pick_list.lines.all():
        code = line.variant.barcode or line.variant.sku  # the shirt scans by its barcode
        pick_confirm(line=line, bin_code=line.location.code, item_code=code)
    pick_list.refresh_from_db()
    assert pick_list.status == PickList.Status.DONE


def test_partial_shipments_consume_reservations_and_write_shipment_moves(selling, confirmed):
    mug = selling["mug"]
    shirt_line, mug_line = confirmed.lines.order_by("id")
    first = shipment_create(
        order=confirmed,
        items=[ShipItem(shirt_line.pk, D(3)), ShipItem(mug_line.pk, D(1))],
        carrier="ups",
        service="Ground",
        tracking_number="1Z999AA10123456784",
        weight_kg=D("2.5"),
        packages=2,
    )
    order = SalesOrder.objects.get(pk=confirmed.pk)
    assert order.status == Status.PARTIALLY_SHIPPED
    assert first.tracking_url == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    moves = StockMove.objects.filter(kind="shipment", reference_id=str(first.pk))
    assert sorted(m.quantity for m in moves) == [D(-2), D(-1), D(-1)]  # two shirt bins, one mug
    assert on_hand(mug, selling["a2"]) == D(9)
    shirt_line.refresh_from_db()
    assert (shirt_line.shipped_quantity, shirt_line.allocated_quantity) == (D(3), D(1))

    with pytest.raises(SalesError, match="4 asked, 1 reserved"):
        shipment_create(order=order, items=[ShipItem(shirt_line.pk, D(4))])
    second = shipment_create(order=order, carrier="dhl", tracking_number="123")  # the rest
    order.refresh_from_db()
    assert order.status == Status.SHIPPED and order.shipped_at == second.shipped_at
    assert not Reservation.objects.exists()
    assert stock_differences() == []

    shipment_deliver(shipment=first)
    order.refresh_from_db()
    assert order.status == Status.SHIPPED  # the second one is still on its way
    shipment_deliver(shipment=second)
    order.refresh_from_db()
    assert order.status == Status.DELIVERED and order.delivered_at


def test_shipped_orders_cannot_be_cancelled_and_delivered_needs_shipped(selling, confirmed):
    with pytest.raises(SalesError, match="is confirmed, so it cannot be marked delivered"):
        sales_order_deliver(order=confirmed)
    shipment_create(order=confirmed)
    with pytest.raises(SalesError, match="create a return instead"):
        sales_order_cancel(order=confirmed)
    assert SalesOrder.objects.get(pk=confirmed.pk).status == Status.SHIPPED


def test_pack_needs_reserved_stock(selling, make_order):
    order = sales_order_confirm(order=make_order(LineInput(selling["shirt"].pk, D(2))))
    with pytest.raises(SalesError, match="no reserved stock to pack"):
        sales_order_pack(order=order)
    with pytest.raises(SalesError, match="no reserved stock to ship"):
        shipment_create(order=order)


def test_invoice_bills_shipped_quantities_once_and_payments_set_its_status(selling, confirmed):
    with pytest.raises(SalesError, match="Nothing to invoice"):
        invoice_create(order=confirmed)
    shirt_line, mug_line = confirmed.lines.order_by("id")
    shipment = shipment_create(order=confirmed, items=[ShipItem(shirt_line.pk, D(2))])
    invoice = invoice_create(order=confirmed, shipment=shipment)
    # 2 × 18.00 (trade tier), no discount, no tax.
    assert invoice.number.startswith("INV-") and invoice.total == D("36.00")
    assert invoice.payment_status == Invoice.PaymentStatus.UNPAID
    with pytest.raises(SalesError, match="invoiced already"):
        invoice_create(order=confirmed, shipment=shipment)

    payment_record(invoice=invoice, amount=D("10.00"))
    invoice.refresh_from_db()
    assert invoice.payment_status == "partial" and invoice.balance == D("26.00")
    with pytest.raises(SalesError, match="26.00 USD open"):
        payment_record(invoice=invoice, amount=D("30"))
    payment_record(invoice=invoice, amount=D("26.00"), method="card")
    invoice.refresh_from_db()
    assert invoice.payment_status == "paid"
    assert open_balance(confirmed) == 0
    payment_record(invoice=invoice, amount=D("36.00"), kind="refund")
    invoice.refresh_from_db()
    assert invoice.payment_status == "refunded"


def test_returns_restock_puts_stock_back_scrap_does_not(selling, confirmed):
    shirt, mug = selling["shirt"], selling["mug"]
    shirt_line, mug_line = confirmed.lines.order_by("id")
    shipment_create(order=confirmed)
    invoice = invoice_create(order=confirmed)
    payment_record(invoice=invoice, amount=invoice.total)
    with pytest.raises(SalesError, match="4 can come back"):
        sales_return_create(order=confirmed, items=[ReturnItem(shirt_line.pk, D(5))])
    before_mug = on_hand(mug, selling["a2"])
    rma = sales_return_create(
        order=confirmed,
        items=[
            ReturnItem(mug_line.pk, D(2), "restock", "Wrong colour"),
            ReturnItem(shirt_line.pk, D(1), "scrap", "Torn"),
        ],
        reason="Customer return",
    )
    assert on_hand(mug, selling["a2"]) == before_mug + 2  # restocked where it shipped from
    assert StockMove.objects.filter(kind="return", variant=shirt).count() == 0  # scrapped
    # Refund: 2/5 of the mug line (35.95 → 14.38) + 1/4 of the shirt line (72.00 → 18.00).
    assert rma.refund_amount == D("32.38") and rma.credit_note_number.startswith("CN-")
    invoice.refresh_from_db()
    assert invoice.amount_refunded == D("32.38") and invoice.payment_status == "partial"
    mug_line.refresh_from_db()
    assert mug_line.returned_quantity == D(2)
    assert stock_differences() == []


def test_returns_only_from_shipped_orders(selling, confirmed):
    with pytest.raises(SalesError, match="only shipped goods come back"):
        sales_return_create(order=confirmed, items=[ReturnItem(confirmed.lines.first().pk, D(1))])
