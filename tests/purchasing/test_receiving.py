import pytest

from apps.accounts.models import Role
from apps.inventory.integrity import stock_differences
from apps.inventory.models import CostLayer, StockLevel, StockMove, VariantCost
from apps.inventory.services import MoveLine, stock_moves_post
from apps.purchasing.errors import PurchasingError
from apps.purchasing.models import PurchaseOrder, Receipt
from apps.purchasing.receiving import ReceiveItem, line_for_code, purchase_order_receive
from apps.purchasing.services import ChargeInput, LineInput, purchase_order_submit

from .conftest import D

Status = PurchaseOrder.Status


@pytest.fixture
def approved(make_order):
    return purchase_order_submit(order=make_order())


def lines_of(order):
    return {line.variant.sku: line for line in order.lines.select_related("variant")}


def on_hand(variant, location):
    level = StockLevel.objects.filter(variant=variant, location=location).first()
    return level.on_hand if level else D(0)


def test_partial_then_complete_receipt_moves_stock_at_cost(approved, buying, users):
    lines = lines_of(approved)
    receipt = purchase_order_receive(
        order=approved,
        location=buying["shelf"],
        items=[ReceiveItem(lines["BOLT-1"].pk, D(4))],
        user=users[Role.CLERK],
    )
    approved.refresh_from_db()
    assert approved.status == Status.PARTIALLY_RECEIVED
    assert on_hand(buying["bolt"], buying["shelf"]) == 4
    move = StockMove.objects.get(reference_type="purchase_receipt", reference_id=str(receipt.pk))
    assert (move.kind, move.quantity, move.unit_cost, move.user) == (
        "receipt",
        4,
        5,
        users[Role.CLERK],
    )
    purchase_order_receive(
        order=approved,
        location=buying["dock"],
        items=[ReceiveItem(lines["BOLT-1"].pk, D(6)), ReceiveItem(lines["NUT-1"].pk, D(30))],
    )
    approved.refresh_from_db()
    assert approved.status == Status.RECEIVED and approved.received_at is not None
    assert on_hand(buying["nut"], buying["dock"]) == 30
    assert [e.kind for e in approved.events.all()][-2:] == ["received", "received"]
    assert stock_differences() == []


def test_receipt_updates_moving_average_and_fifo_layers(buying, make_order):
    stock_moves_post(
        lines=[MoveLine(buying["bolt"].pk, buying["shelf"].pk, D(10), D(3))], kind="receipt"
    )
    order = purchase_order_submit(order=make_order(LineInput(buying["bolt"].pk, D(30), D(7))))
    line = order.lines.get()
    purchase_order_receive(
        order=order, location=buying["shelf"], items=[ReceiveItem(line.pk, D(10))]
    )
    # (10 × 3 + 10 × 7) / 20 = 5
    assert VariantCost.objects.get(variant=buying["bolt"]).average_cost == D(5)
    assert list(
        CostLayer.objects.filter(variant=buying["bolt"]).values_list("unit_cost", "remaining")
    ) == [(D(3), D(10)), (D(7), D(10))]


def test_receipt_uses_the_landed_unit_cost_in_company_currency(buying, make_order):
    order = make_order(
        LineInput(buying["bolt"].pk, D(10), D(5)),
        LineInput(buying["nut"].pk, D(30), D(1)),
        charges=[ChargeInput(D(40), allocation="value")],
        exchange_rate=D(2),
        currency="EUR",
    )
    purchase_order_submit(order=order)
    lines = lines_of(order)
    # freight 40 EUR = 80 USD by value 50:30 → bolt 50 USD / 10 = 5 a unit; nut 30 / 30 = 1.
    assert lines["BOLT-1"].allocated_charge_per_unit == D(5)
    purchase_order_receive(
        order=order,
        location=buying["shelf"],
        items=[ReceiveItem(lines["BOLT-1"].pk, D(10)), ReceiveItem(lines["NUT-1"].pk, D(30))],
    )
    costs = dict(
        StockMove.objects.filter(reference_type="purchase_receipt").values_list(
            "variant__sku", "unit_cost"
        )
    )
    assert costs == {"BOLT-1": D(15), "NUT-1": D(3)}  # 5 × 2 + 5; 1 × 2 + 1


def test_rejected_quantity_needs_a_reason_and_never_enters_stock(approved, buying):
    line = lines_of(approved)["BOLT-1"]
    with pytest.raises(PurchasingError, match="say why 2 were rejected"):
        purchase_order_receive(
            order=approved, location=buying["shelf"], items=[ReceiveItem(line.pk, D(8), D(2))]
        )
    assert not Receipt.objects.exists() and on_hand(buying["bolt"], buying["shelf"]) == 0
    purchase_order_receive(
        order=approved,
        location=buying["shelf"],
        items=[ReceiveItem(line.pk, D(8), D(2), "damaged")],
    )
    line.refresh_from_db()
    assert (line.received_quantity, line.rejected_quantity) == (8, 2)
    assert on_hand(buying["bolt"], buying["shelf"]) == 8
    assert "2 rejected" in approved.events.last().message


def test_over_receipt_is_refused_beyond_the_tolerance(approved, buying):
    line = lines_of(approved)["BOLT-1"]
    with pytest.raises(PurchasingError, match="11 would be received of 10 ordered"):
        purchase_order_receive(
            order=approved, location=buying["shelf"], items=[ReceiveItem(line.pk, D(11))]
        )
    assert not StockMove.objects.exists()
    buying["settings"].over_receipt_tolerance_percent = D(10)
    buying["settings"].save()
    purchase_order_receive(
        order=approved, location=buying["shelf"], items=[ReceiveItem(line.pk, D(11))]
    )
    with pytest.raises(PurchasingError, match="at most 11"):
        purchase_order_receive(
            order=approved, location=buying["shelf"], items=[ReceiveItem(line.pk, D("0.5"))]
        )


def test_receiving_is_refused_for_drafts_other_warehouses_and_empty_input(
    make_order, approved, buying
):
    from apps.inventory.warehousing import warehouse_create

    draft = make_order()
    line = lines_of(draft)["BOLT-1"]
    with pytest.raises(PurchasingError, match="is draft, so it cannot be received"):
        purchase_order_receive(
            order=draft, location=buying["shelf"], items=[ReceiveItem(line.pk, D(1))]
        )
    elsewhere = warehouse_create(code="EAST", name="East").locations.get(kind="receiving")
    line = lines_of(approved)["BOLT-1"]
    with pytest.raises(PurchasingError, match="location of MAIN"):
        purchase_order_receive(
            order=approved, location=elsewhere, items=[ReceiveItem(line.pk, D(1))]
        )
    with pytest.raises(PurchasingError, match="at least one line"):
        purchase_order_receive(
            order=approved, location=buying["shelf"], items=[ReceiveItem(line.pk, D(0))]
        )
    assert not Receipt.objects.exists()


def test_a_scan_finds_the_line_by_barcode_sku_or_supplier_sku(approved):
    lines = lines_of(approved)
    assert line_for_code(approved, "4006381333931") == lines["BOLT-1"]
    assert line_for_code(approved, "nut-1") == lines["NUT-1"]
    assert line_for_code(approved, "AC-NUT") == lines["NUT-1"]
    assert line_for_code(approved, "nothing") is None


def test_receipt_reserves_waiting_backorders_through_the_arrival_hook(approved, buying, sync_jobs):
    from apps.inventory import arrivals

    arrived = []

    def listener(variant_ids):
        arrived.extend(variant_ids)

    arrivals._listeners["tests.listener"] = listener
    try:
        line = lines_of(approved)["BOLT-1"]
        with sync_jobs():
            purchase_order_receive(
                order=approved, location=buying["shelf"], items=[ReceiveItem(line.pk, D(2))]
            )
    finally:
        arrivals._listeners.pop("tests.listener")
    assert arrived == [buying["bolt"].pk]


def test_a_charge_on_a_delivery_is_spread_over_what_it_brings(approved, buying):
    from apps.purchasing.services import ChargeInput

    lines = lines_of(approved)
    receipt = purchase_order_receive(
        order=approved,
        location=buying["shelf"],
        items=[ReceiveItem(lines["BOLT-1"].pk, D(4)), ReceiveItem(lines["NUT-1"].pk, D(12))],
        charges=[ChargeInput(D(16), allocation="quantity")],
    )
    # 16 over 4 + 12 units: 1.00 a unit on top of the cost.
    costs = dict(
        StockMove.objects.filter(reference_id=str(receipt.pk)).values_list(
            "variant__sku", "unit_cost"
        )
    )
    assert costs == {"BOLT-1": D(6), "NUT-1": D(2)}
    approved.refresh_from_db()
    assert approved.charges_total == D(16) and approved.total == D(96)
    assert approved.charges.get().receipt == receipt
    assert "with charges of 16.00" in approved.events.last().message
    with pytest.raises(PurchasingError, match="need something accepted"):
        purchase_order_receive(
            order=approved,
            location=buying["shelf"],
            items=[ReceiveItem(lines["BOLT-1"].pk, D(0), D(1), "damaged")],
            charges=[ChargeInput(D(5))],
        )


def test_late_order_charges_keep_the_delivery_charges(approved, buying):
    from apps.purchasing.charges import purchase_order_charges_set
    from apps.purchasing.services import ChargeInput

    line = lines_of(approved)["BOLT-1"]
    purchase_order_receive(
        order=approved,
        location=buying["shelf"],
        items=[ReceiveItem(line.pk, D(10))],
        charges=[ChargeInput(D(10))],
    )
    order = purchase_order_charges_set(order=approved, charges=[ChargeInput(D(4), kind="duty")])
    assert order.charges.count() == 2 and order.charges_total == D(14) and order.total == D(94)
