import io
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from apps.inventory.integrity import stock_differences, variant_total_differences
from apps.inventory.models import CostLayer, StockLevel, StockMove, VariantCost
from apps.inventory.services import (
    InsufficientStock,
    InventoryError,
    MoveLine,
    inventory_negative_stock_set,
    reservation_consume,
    reservation_create,
    reservation_release,
    stock_move_reverse,
    stock_moves_post,
)
from apps.tenants.models import Tenant
from tests.inventory.conftest import D

Kind = StockMove.Kind


def level(variant, location) -> StockLevel:
    return StockLevel.objects.get(variant=variant, location=location)


def receive(variant, location, qty, cost="5"):
    return stock_moves_post(
        lines=[MoveLine(variant.pk, location.pk, D(qty), D(cost))], kind=Kind.RECEIPT
    )


def test_receipt_raises_on_hand_and_records_the_move(stock_setup):
    v, loc = stock_setup["variants"]["m"], stock_setup["bins"]["main"]
    (move,) = receive(v, loc, 10, "4.50")
    assert (level(v, loc).on_hand, level(v, loc).reserved) == (D(10), D(0))
    assert (move.kind, move.quantity, move.unit_cost) == (Kind.RECEIPT, D(10), D("4.50"))


def test_cannot_ship_more_than_available_and_nothing_is_written(stock_setup):
    v, loc = stock_setup["variants"]["m"], stock_setup["bins"]["main"]
    receive(v, loc, 3)
    moves_before = StockMove.objects.count()
    with pytest.raises(InsufficientStock) as error:
        stock_moves_post(lines=[MoveLine(v.pk, loc.pk, D(-4))], kind=Kind.SHIPMENT)
    assert error.value.shortages[0].available == D(3)
    assert "4 asked, 3 available" in error.value.message
    assert level(v, loc).on_hand == D(3) and StockMove.objects.count() == moves_before


def test_a_document_is_all_or_nothing(stock_setup):
    m, l_, loc = (
        stock_setup["variants"]["m"],
        stock_setup["variants"]["l"],
        stock_setup["bins"]["main"],
    )
    receive(m, loc, 5)
    with pytest.raises(InsufficientStock):
        stock_moves_post(
            lines=[MoveLine(m.pk, loc.pk, D(-2)), MoveLine(l_.pk, loc.pk, D(-1))],
            kind=Kind.SHIPMENT,
        )
    assert level(m, loc).on_hand == D(5)


def test_database_refuses_negative_stock_even_from_raw_sql(stock_setup):
    v, loc = stock_setup["variants"]["m"], stock_setup["bins"]["main"]
    receive(v, loc, 1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_stocklevel SET on_hand = -1")


def test_negative_stock_when_the_company_allows_it(stock_setup, tenant):
    v, loc = stock_setup["variants"]["m"], stock_setup["bins"]["main"]
    receive(v, loc, 1)
    Tenant.objects.filter(pk=tenant.pk).update(allow_negative_stock=True)
    connection.tenant.allow_negative_stock = True
    try:
        inventory_negative_stock_set(allow=True)
        stock_moves_post(lines=[MoveLine(v.pk, loc.pk, D(-3))], kind=Kind.SHIPMENT)
        assert level(v, loc).on_hand == D(-2)
        with pytest.raises(InventoryError, match="1 stock balance is below zero"):
            inventory_negative_stock_set(allow=False)
    finally:
        connection.tenant.allow_negative_stock = False


def test_reserved_stock_cannot_be_shipped_by_someone_else(stock_setup):
    v, loc = stock_setup["variants"]["m"], stock_setup["bins"]["main"]
    receive(v, loc, 5)
    reservation_create(
        variant_id=v.pk, location_id=loc.pk, quantity=D(4), reference=("order_line", 1)
    )
    assert level(v, loc).available == D(1)
    with pytest.raises(InsufficientStock):
        stock_moves_post(lines=[MoveLine(v.pk, loc.pk, D(-2))], kind=Kind.ADJUSTMENT, reason="lost")
    with pytest.raises(InsufficientStock):
        reservation_create(
            variant_id=v.pk, location_id=loc.pk, quantity=D(2), reference=("order_line", 2)
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_stocklevel SET reserved = on_hand + 1")


def test_consuming_a_reservation_ships_it(stock_setup):
    v, loc = stock_setup["variants"]["m"], stock_setup["bins"]["main"]
    receive(v, loc, 5)
    reservation = reservation_create(
        variant_id=v.pk, location_id=loc.pk, quantity=D(3), reference=("order_line", 7)
    )
    move = reservation_consume(reservation=reservation, quantity=D(2))
    assert move.kind == Kind.SHIPMENT and move.reference_id == "7"
    assert (level(v, loc).on_hand, level(v, loc).reserved) == (D(3), D(1))
    reservation_release(reservation=reservation)
    assert level(v, loc).reserved == D(0)
    assert stock_differences() == []


def test_reversing_move_restores_the_balance_and_the_ledger_is_append_only(stock_setup):
    v, loc = stock_setup["variants"]["m"], stock_setup["bins"]["main"]
    (move,) = receive(v, loc, 6)
    reversal = stock_move_reverse(move=move)
    assert reversal.quantity == D(-6) and reversal.reverses_id == move.pk
    assert level(v, loc).on_hand == D(0)
    with pytest.raises(InventoryError, match="already reversed"):
        stock_move_reverse(move=move)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        StockMove.objects.filter(pk=move.pk).update(quantity=D(7))
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM inventory_stockmove WHERE id = %s", [move.pk])


def test_adjustment_needs_a_reason(stock_setup):
    v, loc = stock_setup["variants"]["m"], stock_setup["bins"]["main"]
    with pytest.raises(InventoryError, match="Choose a reason"):
        stock_moves_post(lines=[MoveLine(v.pk, loc.pk, D(1))], kind=Kind.ADJUSTMENT)


def test_moving_average_and_fifo_match_a_worked_example(stock_setup):
    """Receive 10 @ 5.00 and 10 @ 8.00, ship 15.

    Moving average: (10×5 + 10×8) / 20 = 6.50; 5 left are worth 32.50, and the
    shipment is costed at 6.50. FIFO: the shipment takes all 10 @ 5 and 5 @ 8;
    the 5 left are the rest of the second layer, worth 40.00.
    """
    v, loc = stock_setup["variants"]["m"], stock_setup["bins"]["main"]
    receive(v, loc, 10, "5.00")
    receive(v, loc, 10, "8.00")
    (shipment,) = stock_moves_post(lines=[MoveLine(v.pk, loc.pk, D(-15))], kind=Kind.SHIPMENT)
    cost = VariantCost.objects.get(variant=v)
    assert (cost.quantity, cost.average_cost, shipment.unit_cost) == (
        D(5),
        D("6.5000"),
        D("6.5000"),
    )
    assert cost.quantity * cost.average_cost == D("32.5")
    layers = list(
        CostLayer.objects.filter(variant=v).order_by("id").values_list("unit_cost", "remaining")
    )
    assert layers == [(D("5.0000"), D(0)), (D("8.0000"), D(5))]
    assert sum(c * r for c, r in layers) == D("40")


def test_one_document_consumes_fifo_layers_across_lines_and_variants(stock_setup):
    """Two shipment lines of one variant and one of another in one document: layers are
    taken oldest first as if the lines were shipped one after the other; a layer received
    in the same document is consumed after the older ones."""
    m, l_ = stock_setup["variants"]["m"], stock_setup["variants"]["l"]
    main, east = stock_setup["bins"]["main"], stock_setup["bins"]["east"]
    receive(m, main, 3, "1")
    receive(m, east, 4, "2")
    receive(l_, main, 2, "7")
    stock_moves_post(
        lines=[
            MoveLine(m.pk, main.pk, D(-2)),
            MoveLine(l_.pk, main.pk, D(-1)),
            MoveLine(m.pk, main.pk, D(5), D("3")),
            MoveLine(m.pk, east.pk, D(-4)),
        ],
        kind=Kind.ADJUSTMENT,
        reason=StockMove.Reason.CORRECTION,
    )

    def remaining(variant):
        layers = CostLayer.objects.filter(variant=variant).order_by("created_at", "id")
        return list(layers.values_list("unit_cost", "remaining"))

    assert remaining(m) == [(D(1), D(0)), (D(2), D(1)), (D(3), D(5))]
    assert remaining(l_) == [(D(7), D(1))]
    stock_moves_post(lines=[MoveLine(m.pk, main.pk, D(-5))], kind=Kind.SHIPMENT)
    assert remaining(m) == [(D(1), D(0)), (D(2), D(0)), (D(3), D(1))]


def test_transfer_moves_stock_without_changing_its_value(stock_setup):
    v = stock_setup["variants"]["m"]
    main, east = stock_setup["bins"]["main"], stock_setup["bins"]["east"]
    receive(v, main, 8, "3.00")
    stock_moves_post(
        lines=[MoveLine(v.pk, main.pk, D(-5)), MoveLine(v.pk, east.pk, D(5))],
        kind=Kind.TRANSFER_OUT,
    )
    assert (level(v, main).on_hand, level(v, east).on_hand) == (D(3), D(5))
    cost = VariantCost.objects.get(variant=v)
    assert (cost.quantity, cost.average_cost) == (D(8), D("3.0000"))
    assert CostLayer.objects.get(variant=v).remaining == D(8)


def test_stock_check_finds_a_balance_that_disagrees_with_the_ledger(stock_setup, tenant):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    v, loc = stock_setup["variants"]["m"], stock_setup["bins"]["main"]
    receive(v, loc, 4)
    assert stock_differences() == []
    call_command("stock_check", tenant=tenant.slug, stdout=open("/dev/null", "w"))
    StockLevel.objects.filter(variant=v, location=loc).update(on_hand=Decimal(9))
    (difference,) = stock_differences()
    assert (difference.stored_on_hand, difference.ledger_on_hand) == (D(9), D(4))
    with pytest.raises(CommandError, match="1 balance"):
        call_command("stock_check", tenant=tenant.slug, stdout=open("/dev/null", "w"))


def test_stock_check_finds_a_variant_total_that_disagrees_with_the_balances(stock_setup, tenant):
    """The kept total per variant (what the product list sorts and filters on) follows every
    move, transfers included, and stock_check reports it when it drifts."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    v, main, east = (
        stock_setup["variants"]["m"],
        stock_setup["bins"]["main"],
        stock_setup["bins"]["east"],
    )
    receive(v, main, 6)
    stock_moves_post(
        lines=[MoveLine(v.pk, main.pk, D(-2)), MoveLine(v.pk, east.pk, D(2))],
        kind=Kind.TRANSFER_OUT,
    )
    stock_moves_post(lines=[MoveLine(v.pk, east.pk, D(-1))], kind=Kind.SHIPMENT)
    assert VariantCost.objects.get(variant=v).quantity == D(5)
    assert variant_total_differences() == []
    VariantCost.objects.filter(variant=v).update(quantity=Decimal(7))
    (difference,) = variant_total_differences()
    assert (difference.variant_id, difference.stored, difference.expected) == (v.pk, D(7), D(5))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 balance"):
        call_command("stock_check", tenant=tenant.slug, stdout=out)
    assert f"variant {v.pk}: total on hand 7.000 stored vs 5.000 in the ledger" in out.getvalue()


def test_shortage_message_names_the_sku_and_place(stock_setup):
    v, loc = stock_setup["variants"]["l"], stock_setup["bins"]["east"]
    with pytest.raises(InsufficientStock, match=r"SHOE-L at EAST/B-01: 2 asked, 0 available"):
        stock_moves_post(lines=[MoveLine(v.pk, loc.pk, D(-2))], kind=Kind.SHIPMENT)
