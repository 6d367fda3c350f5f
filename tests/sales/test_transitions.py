"""Every action against every status: allowed ones work, the others are refused in words
and change nothing (status, reservations, stock)."""

from decimal import Decimal

from django.db import transaction

from apps.inventory.models import Reservation, StockLevel
from apps.sales.errors import SalesError
from apps.sales.models import SalesOrder
from apps.sales.picking import pick_lists_create
from apps.sales.returns import ReturnItem, sales_return_create
from apps.sales.services import (
    LineInput,
    sales_order_cancel,
    sales_order_confirm,
    sales_order_deliver,
    sales_order_hold,
    sales_order_pack,
    sales_order_release,
    sales_order_update,
)
from apps.sales.shipping import ShipItem, shipment_create

from .conftest import D, receive

S = SalesOrder.Status


def _orders(selling, make_order) -> dict[str, SalesOrder]:
    shirt = selling["shirt"]
    receive(shirt, selling["a2"], 100)

    def confirmed():
        return sales_order_confirm(order=make_order(LineInput(shirt.pk, D(2))))

    orders = {S.DRAFT: make_order(LineInput(shirt.pk, D(2))), S.CONFIRMED: confirmed()}
    picking = confirmed()
    pick_lists_create(orders=[picking])
    orders[S.PICKING] = picking
    orders[S.PACKED] = sales_order_pack(order=confirmed())
    partial = confirmed()
    shipment_create(order=partial, items=[ShipItem(partial.lines.get().pk, D(1))])
    orders[S.PARTIALLY_SHIPPED] = partial
    shipped = confirmed()
    shipment_create(order=shipped)
    orders[S.SHIPPED] = shipped
    delivered = confirmed()
    shipment_create(order=delivered)
    orders[S.DELIVERED] = sales_order_deliver(order=delivered)
    orders[S.ON_HOLD] = sales_order_hold(order=confirmed())
    orders[S.CANCELLED] = sales_order_cancel(order=confirmed())
    for status, order in orders.items():
        assert SalesOrder.objects.get(pk=order.pk).status == status
    return orders


ACTIONS = {
    "edit": lambda o, s: sales_order_update(order=o, lines=[LineInput(s["mug"].pk, D(1))]),
    "confirm": lambda o, s: sales_order_confirm(order=o),
    "pick": lambda o, s: pick_lists_create(orders=[o]),
    "pack": lambda o, s: sales_order_pack(order=o),
    "ship": lambda o, s: shipment_create(order=o),
    "deliver": lambda o, s: sales_order_deliver(order=o),
    "hold": lambda o, s: sales_order_hold(order=o),
    "release": lambda o, s: sales_order_release(order=o),
    "cancel": lambda o, s: sales_order_cancel(order=o),
    "return": lambda o, s: sales_return_create(
        order=o, items=[ReturnItem(o.lines.get().pk, D(1), "scrap")]
    ),
}
ALLOWED = {
    "edit": {S.DRAFT},
    "confirm": {S.DRAFT},
    # The picking order's reservations are all on its pick list already.
    "pick": {S.CONFIRMED, S.PACKED, S.PARTIALLY_SHIPPED},
    "pack": {S.CONFIRMED, S.PICKING, S.PARTIALLY_SHIPPED},
    "ship": {S.CONFIRMED, S.PICKING, S.PACKED, S.PARTIALLY_SHIPPED},
    "deliver": {S.SHIPPED},
    "hold": {S.DRAFT, S.CONFIRMED, S.PICKING, S.PACKED, S.PARTIALLY_SHIPPED},
    "release": {S.ON_HOLD},
    "cancel": {S.DRAFT, S.CONFIRMED, S.PICKING, S.PACKED, S.ON_HOLD},
    "return": {S.PARTIALLY_SHIPPED, S.SHIPPED, S.DELIVERED},
}


def _snapshot(order):
    return (
        SalesOrder.objects.get(pk=order.pk).status,
        sorted(Reservation.objects.values_list("level_id", "quantity")),
        sorted(StockLevel.objects.values_list("pk", "on_hand", "reserved")),
    )


def test_every_action_in_every_status(selling, make_order):
    orders = _orders(selling, make_order)
    results, refusals = {}, {}
    for action, run in ACTIONS.items():
        for status, order in orders.items():
            before = _snapshot(order)
            with transaction.atomic():
                try:
                    run(order, selling)
                except SalesError as exc:
                    results[(action, status)] = False
                    refusals[(action, status)] = exc.message
                    assert _snapshot(order) == before, (action, status)
                else:
                    results[(action, status)] = True
                transaction.set_rollback(True)  # every attempt starts from the same orders
    expected = {
        (action, status): status in ALLOWED[action] for action in ACTIONS for status in orders
    }
    assert results == expected
    # Refusals name the order and say why.
    message = refusals[("confirm", S.SHIPPED)]
    assert orders[S.SHIPPED].number in message and "shipped" in message
    assert "create a return" in refusals[("cancel", S.DELIVERED)]
    assert "only shipped goods" in refusals[("return", S.CONFIRMED)]
    assert all(message for message in refusals.values())


def test_quantities_stay_within_their_limits(selling, make_order):
    order = _orders(selling, make_order)[S.PARTIALLY_SHIPPED]
    line = order.lines.get()
    assert (line.quantity, line.shipped_quantity, line.allocated_quantity) == (
        D(2),
        D(1),
        D(1),
    )
    assert line.backordered_quantity == Decimal(0)
