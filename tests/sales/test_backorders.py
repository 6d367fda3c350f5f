"""Backorders fill when stock arrives, oldest confirmed order first; held orders wait."""

from datetime import timedelta

from django.utils import timezone

from apps.inventory.integrity import stock_differences
from apps.sales.models import SalesOrder
from apps.sales.services import (
    LineInput,
    sales_order_confirm,
    sales_order_hold,
    sales_order_release,
)
from tests.sales.conftest import D, receive


def test_arrival_fills_backorders_oldest_confirmed_order_first(selling, make_order, sync_jobs):
    shirt = selling["shirt"]
    young = sales_order_confirm(order=make_order(LineInput(shirt.pk, D(3))))
    old = sales_order_confirm(order=make_order(LineInput(shirt.pk, D(4))))
    # "old" was confirmed first (its clock set back); creation order must not matter.
    SalesOrder.objects.filter(pk=old.pk).update(confirmed_at=timezone.now() - timedelta(days=2))
    assert young.lines.get().backordered_quantity == D(3)

    with sync_jobs():
        receive(shirt, selling["a2"], 5)
    old_line, young_line = old.lines.get(), young.lines.get()
    assert (old_line.allocated_quantity, old_line.backordered_quantity) == (D(4), D(0))
    assert (young_line.allocated_quantity, young_line.backordered_quantity) == (D(1), D(2))
    assert old.events.filter(kind="reserved").exists()

    with sync_jobs():
        receive(shirt, selling["b1"], 10)
    assert young.lines.get().allocated_quantity == D(3)
    assert stock_differences() == []


def test_orders_on_hold_wait_until_released(selling, make_order, sync_jobs):
    shirt = selling["shirt"]
    held = sales_order_confirm(order=make_order(LineInput(shirt.pk, D(2))))
    sales_order_hold(order=held)
    waiting = sales_order_confirm(order=make_order(LineInput(shirt.pk, D(2))))
    with sync_jobs():
        receive(shirt, selling["a2"], 3)
    assert held.lines.get().allocated_quantity == 0
    assert waiting.lines.get().allocated_quantity == D(2)
    released = sales_order_release(order=held)
    assert released.lines.get().allocated_quantity == D(1)  # what is left
