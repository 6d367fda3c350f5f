"""The worked examples of docs/purchasing.md: A 10 × 5.00 (2 kg), B 30 × 1.00 (0.5 kg), freight 40."""

import pytest

from apps.purchasing.errors import PurchasingError
from apps.purchasing.landed_cost import AllocationCharge, AllocationLine, allocate, split
from apps.purchasing.services import ChargeInput, LineInput

from .conftest import D

LINES = [
    AllocationLine("A", D(10), D(50), D(2)),
    AllocationLine("B", D(30), D(30), D("0.5")),
]


@pytest.mark.parametrize(
    ("method", "a", "b"),
    [("value", "25.00", "15.00"), ("quantity", "10.00", "30.00"), ("weight", "22.86", "17.14")],
)
def test_freight_allocated_by_each_method(method, a, b):
    assert allocate(LINES, [AllocationCharge(D(40), method)]) == {"A": D(a), "B": D(b)}


def test_several_charges_add_up_per_line():
    shares = allocate(
        LINES, [AllocationCharge(D(40), "value"), AllocationCharge(D(12), "quantity")]
    )
    assert shares == {"A": D(28), "B": D(24)}


def test_rounding_leftover_goes_to_the_largest_share_so_the_total_is_exact():
    assert split(D(100), [D(1), D(1), D(1)]) == [D("33.34"), D("33.33"), D("33.33")]
    assert sum(split(D("0.05"), [D(3), D(7)])) == D("0.05")


def test_weight_allocation_needs_every_weight():
    lines = [AllocationLine("A", D(1), D(1), None, label="LAMP-1"), LINES[1]]
    with pytest.raises(PurchasingError, match="LAMP-1 has no weight"):
        allocate(lines, [AllocationCharge(D(5), "weight")])


@pytest.mark.parametrize(
    ("method", "bolt", "nut"), [("value", "2.5", "0.5"), ("weight", "2.286", "0.5713")]
)
def test_order_lines_keep_their_share_per_unit(buying, make_order, method, bolt, nut):
    order = make_order(
        LineInput(buying["bolt"].pk, D(10)),
        LineInput(buying["nut"].pk, D(30)),
        charges=[ChargeInput(D(40), allocation=method)],
    )
    shares = dict(order.lines.values_list("variant__sku", "allocated_charge_per_unit"))
    assert shares == {"BOLT-1": D(bolt), "NUT-1": D(nut)}


def test_a_late_freight_invoice_revalues_stock_still_on_hand(buying, make_order):
    """10 bolts received at 5.00, 4 sold; freight 20 arrives → +2 a unit on the 6 left."""
    from apps.inventory.models import CostLayer, StockMove, VariantCost
    from apps.inventory.services import MoveLine, stock_moves_post
    from apps.purchasing.charges import purchase_order_charges_set
    from apps.purchasing.errors import PurchasingError
    from apps.purchasing.models import PurchaseOrder
    from apps.purchasing.receiving import ReceiveItem, purchase_order_receive
    from apps.purchasing.services import purchase_order_submit

    order = purchase_order_submit(order=make_order(LineInput(buying["bolt"].pk, D(10))))
    with pytest.raises(PurchasingError, match="is approved, so it cannot be given new charges"):
        purchase_order_charges_set(order=order, charges=[ChargeInput(D(20))])
    line = order.lines.get()
    receipt = purchase_order_receive(
        order=order, location=buying["shelf"], items=[ReceiveItem(line.pk, D(10))]
    )
    stock_moves_post(
        lines=[MoveLine(buying["bolt"].pk, buying["shelf"].pk, D(-4))], kind="shipment"
    )
    order = purchase_order_charges_set(order=order, charges=[ChargeInput(D(20))])
    assert order.charges_total == D(20) and order.total == D(70)
    move = StockMove.objects.get(reference_type="purchase_receipt", reference_id=str(receipt.pk))
    layer = CostLayer.objects.get(move=move)
    assert (layer.unit_cost, layer.remaining) == (D(7), D(6))
    # moving average: 5 + 2 × 6 / 6 = 7
    assert VariantCost.objects.get(variant=buying["bolt"]).average_cost == D(7)
    assert receipt.lines.get().unit_cost == D(7)
    assert "re-valued by 12.00" in order.events.last().message
    assert PurchaseOrder.objects.get(pk=order.pk).lines.get().allocated_charge_per_unit == D(2)
