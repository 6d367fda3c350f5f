import pytest
from django.template.loader import render_to_string

from apps.inventory.models import StockLevel, StockMove
from apps.purchasing.documents import debit_note_context, debit_note_pdf
from apps.purchasing.errors import PurchasingError
from apps.purchasing.receiving import ReceiveItem, purchase_order_receive
from apps.purchasing.returns import ReturnItem, supplier_return_create
from apps.purchasing.services import LineInput, purchase_order_submit

from .conftest import D


@pytest.fixture
def received(buying, make_order):
    order = purchase_order_submit(
        order=make_order(LineInput(buying["bolt"].pk, D(10), D(5), tax_rate=D(10)))
    )
    line = order.lines.get()
    purchase_order_receive(
        order=order,
        location=buying["shelf"],
        items=[ReceiveItem(line.pk, D(8), D(2), "damaged")],
    )
    return order, line


def test_return_rejected_and_stocked_goods_with_a_debit_note(received, buying):
    order, line = received
    note = supplier_return_create(
        order=order,
        location=buying["shelf"],
        items=[ReturnItem(line.pk, from_stock=D(3), rejected=D(2))],
        reason="Cracked heads",
    )
    assert note.total == D("27.50")  # 5 × 5.00 + 10 % tax
    assert StockLevel.objects.get(variant=buying["bolt"], location=buying["shelf"]).on_hand == 5
    move = StockMove.objects.get(reference_type="supplier_return")
    assert (move.kind, move.quantity) == ("return", -3)
    assert "Cracked heads" in order.events.last().message
    html = render_to_string("purchasing/debit_note_pdf.html", debit_note_context(note))
    assert note.number in html and "Rejected at delivery" in html and "27.50" in html
    assert debit_note_pdf(note).startswith(b"%PDF-")


def test_cannot_return_more_than_received_or_rejected(received, buying):
    order, line = received
    with pytest.raises(PurchasingError, match="at most 2 rejected units"):
        supplier_return_create(
            order=order,
            location=buying["shelf"],
            items=[ReturnItem(line.pk, rejected=D(3))],
            reason="x",
        )
    supplier_return_create(
        order=order, location=buying["shelf"], items=[ReturnItem(line.pk, D(8))], reason="All bad"
    )
    with pytest.raises(PurchasingError, match="at most 0 received units"):
        supplier_return_create(
            order=order, location=buying["shelf"], items=[ReturnItem(line.pk, D(1))], reason="x"
        )
    with pytest.raises(PurchasingError, match="Say why"):
        supplier_return_create(
            order=order, location=buying["shelf"], items=[ReturnItem(line.pk, D(1))], reason=""
        )


def test_returning_stock_that_is_no_longer_there_is_refused(received, buying):
    from apps.inventory.services import MoveLine, stock_moves_post

    order, line = received
    stock_moves_post(
        lines=[MoveLine(buying["bolt"].pk, buying["shelf"].pk, D(-7))], kind="shipment"
    )
    with pytest.raises(PurchasingError, match="Not enough stock"):
        supplier_return_create(
            order=order, location=buying["shelf"], items=[ReturnItem(line.pk, D(3))], reason="x"
        )


def test_a_draft_has_nothing_to_return(make_order, buying):
    order = make_order()
    with pytest.raises(PurchasingError, match="cannot be returned to the supplier"):
        supplier_return_create(
            order=order,
            location=buying["shelf"],
            items=[ReturnItem(order.lines.first().pk, D(1))],
            reason="x",
        )
