"""Drafts, pricing and role rules, confirmation with reservations, hold, cancel."""

from decimal import Decimal

import pytest

from apps.accounts.models import Role
from apps.inventory.integrity import stock_differences
from apps.inventory.models import Reservation, StockLevel
from apps.sales.config import sales_settings
from apps.sales.errors import SalesError
from apps.sales.models import SalesOrder
from apps.sales.services import (
    LineInput,
    sales_order_cancel,
    sales_order_confirm,
    sales_order_hold,
    sales_order_release,
    sales_order_update,
)
from tests.conftest import make_user
from tests.sales.conftest import D, receive

Status = SalesOrder.Status


def level(variant, location) -> StockLevel:
    return StockLevel.objects.get(variant=variant, location=location)


def test_draft_takes_tier_prices_and_totals_are_sums_of_rounded_lines(selling, make_order):
    settings = sales_settings()
    settings.default_tax_rate = D(20)
    settings.save()
    order = make_order(
        LineInput(selling["shirt"].pk, D(3), discount_percent=D("12.5")),
        LineInput(selling["mug"].pk, D(2)),
    )
    shirt, mug = order.lines.order_by("id")
    # Trade tier: 20.00 → 18.00; 7.99 → 7.191 → 7.19.
    assert (shirt.unit_price, mug.unit_price) == (D("18.00"), D("7.19"))
    # Shirt: 54.00, discount 6.75, tax 20 % of 47.25 = 9.45, total 56.70.
    assert (shirt.discount_amount, shirt.tax_amount, shirt.line_total) == (
        D("6.75"),
        D("9.45"),
        D("56.70"),
    )
    # Mug: 14.38, tax 2.876 → 2.88, total 17.26.
    assert mug.line_total == D("17.26")
    assert (order.subtotal, order.discount_total, order.tax_total, order.total) == (
        D("68.38"),
        D("6.75"),
        D("12.33"),
        D("73.96"),
    )
    assert order.number.startswith("SO-") and order.status == Status.DRAFT
    assert order.events.get().kind == "created"


def test_order_numbers_come_from_the_sequence_with_the_configured_prefix(selling, make_order):
    first = make_order()
    settings = sales_settings()
    settings.order_prefix = "WEB-"
    settings.save()
    second = make_order()
    assert second.number.startswith("WEB-")
    assert int(second.number[4:]) == int(first.number[3:]) + 1


def test_clerk_cannot_override_a_price_but_a_manager_can(tenant, selling, make_order):
    clerk = make_user(tenant, Role.CLERK)
    manager = make_user(tenant, Role.MANAGER)
    with pytest.raises(SalesError, match="only a manager or owner can change the price"):
        make_order(LineInput(selling["shirt"].pk, D(1), unit_price=D("5.00")), user=clerk)
    assert not SalesOrder.objects.exists()
    order = make_order(LineInput(selling["shirt"].pk, D(1), unit_price=D("5.00")), user=manager)
    line = order.lines.get()
    assert line.unit_price == D("5.00") and line.price_overridden and line.list_price == D("18.00")
    # A clerk editing the draft keeps the manager's price, but may not set another one.
    sales_order_update(
        order=order, lines=[LineInput(selling["shirt"].pk, D(2), unit_price=D("5.00"))], user=clerk
    )
    assert order.lines.get().line_total == D("10.00")
    with pytest.raises(SalesError, match="only a manager"):
        sales_order_update(
            order=order, lines=[LineInput(selling["shirt"].pk, D(2), unit_price=D("4"))], user=clerk
        )


@pytest.mark.parametrize(
    "line, message",
    [
        (LineInput(0, D(1)), "does not exist"),
        ("shirt-zero", "greater than zero"),
        ("shirt-discount", "between 0 and 100"),
        ("shirt-price", "cannot be negative"),
    ],
)
def test_bad_lines_are_refused_in_words_and_nothing_is_written(selling, make_order, line, message):
    shirt = selling["shirt"].pk
    line = {
        "shirt-zero": LineInput(shirt, D(0)),
        "shirt-discount": LineInput(shirt, D(1), discount_percent=D(120)),
        "shirt-price": LineInput(shirt, D(1), unit_price=D(-1)),
    }.get(line, line)
    with pytest.raises(SalesError, match=message):
        make_order(line)
    assert not SalesOrder.objects.exists()


def test_confirm_reserves_in_the_preferred_warehouse_then_the_one_with_most_stock(
    selling, make_order
):
    shirt = selling["shirt"]
    receive(shirt, selling["a2"], 2)
    receive(shirt, selling["b1"], 10)
    customer = selling["customer"]
    customer.preferred_warehouse = selling["main"]
    customer.save()
    order = sales_order_confirm(order=make_order(LineInput(shirt.pk, D(5))))
    line = order.lines.get()
    assert order.status == Status.CONFIRMED and line.allocated_quantity == D(5)
    assert level(shirt, selling["a2"]).reserved == D(2)  # preferred first, all it has
    assert level(shirt, selling["b1"]).reserved == D(3)  # the rest from EAST
    assert [e.kind for e in order.events.all()] == ["created", "confirmed", "reserved"]


def test_confirm_with_a_chosen_warehouse_backorders_what_it_lacks(selling, make_order):
    shirt, mug = selling["shirt"], selling["mug"]
    receive(shirt, selling["a2"], 1)
    receive(shirt, selling["b1"], 50)
    order = sales_order_confirm(
        order=make_order(
            LineInput(shirt.pk, D(4)), LineInput(mug.pk, D(2)), warehouse=selling["main"]
        )
    )
    shirt_line, mug_line = order.lines.order_by("id")
    assert (shirt_line.allocated_quantity, shirt_line.backordered_quantity) == (D(1), D(3))
    assert (mug_line.allocated_quantity, mug_line.backordered_quantity) == (D(0), D(2))
    assert level(shirt, selling["b1"]).reserved == 0  # EAST was not chosen
    assert order.events.filter(kind="backordered").get().message == "SHIRT-M 3, MUG-1 2"


def test_confirming_twice_is_refused_and_changes_nothing(selling, make_order):
    receive(selling["shirt"], selling["a2"], 10)
    order = sales_order_confirm(order=make_order(LineInput(selling["shirt"].pk, D(4))))
    with pytest.raises(SalesError, match="is confirmed, so it cannot be confirmed"):
        sales_order_confirm(order=order)
    assert level(selling["shirt"], selling["a2"]).reserved == D(4)


def test_cancel_releases_every_reservation(selling, make_order):
    shirt = selling["shirt"]
    receive(shirt, selling["a2"], 2)
    receive(shirt, selling["b1"], 2)
    order = sales_order_confirm(order=make_order(LineInput(shirt.pk, D(3))))
    assert Reservation.objects.count() == 2
    order = sales_order_cancel(order=order, reason="Customer changed their mind")
    assert order.status == Status.CANCELLED and order.cancelled_at
    assert not Reservation.objects.exists()
    assert level(shirt, selling["a2"]).reserved == 0 and level(shirt, selling["b1"]).reserved == 0
    assert order.lines.get().allocated_quantity == 0
    assert stock_differences() == []
    with pytest.raises(SalesError, match="is cancelled"):
        sales_order_confirm(order=order)


def test_clerk_cannot_cancel_once_picking_started_manager_can(tenant, selling, make_order):
    from apps.sales.picking import pick_lists_create

    clerk = make_user(tenant, Role.CLERK)
    receive(selling["shirt"], selling["a2"], 5)
    order = sales_order_confirm(order=make_order(LineInput(selling["shirt"].pk, D(2))))
    pick_lists_create(orders=[order])
    with pytest.raises(SalesError, match="only a manager or owner can cancel"):
        sales_order_cancel(order=order, user=clerk)
    assert SalesOrder.objects.get(pk=order.pk).status == Status.PICKING
    order = sales_order_cancel(order=order, user=make_user(tenant, Role.MANAGER))
    assert order.status == Status.CANCELLED


def test_hold_keeps_reservations_and_release_returns_to_the_previous_status(selling, make_order):
    receive(selling["shirt"], selling["a2"], 5)
    order = sales_order_confirm(order=make_order(LineInput(selling["shirt"].pk, D(2))))
    order = sales_order_hold(order=order, reason="Payment check")
    assert order.status == Status.ON_HOLD and order.held_from == Status.CONFIRMED
    assert level(selling["shirt"], selling["a2"]).reserved == D(2)
    with pytest.raises(SalesError, match="is on hold, so it cannot be put on hold"):
        sales_order_hold(order=order)
    order = sales_order_release(order=order)
    assert order.status == Status.CONFIRMED and order.held_from == ""
    with pytest.raises(SalesError, match="cannot be released"):
        sales_order_release(order=order)


def test_edit_is_only_for_drafts(selling, make_order):
    receive(selling["shirt"], selling["a2"], 5)
    order = sales_order_confirm(order=make_order())
    with pytest.raises(SalesError, match="is confirmed, so it cannot be edited"):
        sales_order_update(order=order, lines=[LineInput(selling["mug"].pk, Decimal(1))])
    assert order.lines.count() == 2
