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
