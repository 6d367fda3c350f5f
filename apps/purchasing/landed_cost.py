"""Landed cost: spreading an order's charges (freight, duty …) over its lines.

Each charge is split by its own method — the lines' value, quantity or weight —
in cents, with what rounding leaves over given to the largest share, so the
shares always add up to the charge exactly. Pure functions: the services call
them and store each line's share per unit.

Worked example (docs/purchasing.md): lines A 10 × 5.00 (2 kg each) and
B 30 × 1.00 (0.5 kg each), freight 40.00 —
by value 50:30 → A 25.00, B 15.00; by quantity 10:30 → A 10.00, B 30.00;
by weight 20:15 kg → A 22.86, B 17.14.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from apps.purchasing.errors import PurchasingError

CENT = Decimal("0.01")
UNIT = Decimal("0.0001")
ZERO = Decimal("0")


@dataclass(frozen=True)
class AllocationLine:
    key: Hashable
    quantity: Decimal
    value: Decimal
    weight_per_unit: Decimal | None = None  # kg
    label: str = ""


@dataclass(frozen=True)
class AllocationCharge:
    amount: Decimal
    method: str  # "value" | "quantity" | "weight"


def _basis(line: AllocationLine, method: str) -> Decimal:
    if method == "value":
        return line.value
    if method == "quantity":
        return line.quantity
    if method == "weight":
        if line.weight_per_unit is None:
            raise PurchasingError(
                f"{line.label or line.key} has no weight, so charges cannot be spread by weight. "
                "Enter the variant's weight or spread the charge by value or quantity."
            )
        return line.weight_per_unit * line.quantity
    raise PurchasingError(f"Unknown allocation method “{method}”.")


def split(amount: Decimal, bases: Sequence[Decimal]) -> list[Decimal]:
    """``amount`` in proportion to ``bases``, in cents, summing to ``amount`` exactly."""
    total = sum(bases, ZERO)
    if total <= 0:
        raise PurchasingError("There is nothing to spread the charge over (all lines are zero).")
    shares = [(amount * b / total).quantize(CENT, rounding=ROUND_DOWN) for b in bases]
    leftover = amount - sum(shares, ZERO)
    if leftover:
        largest = max(range(len(bases)), key=lambda i: (bases[i], -i))
        shares[largest] += leftover
    return shares


def allocate(
    lines: Sequence[AllocationLine], charges: Sequence[AllocationCharge]
) -> dict[Hashable, Decimal]:
    """Each line's share of all charges (same currency as the charges)."""
    result = {line.key: ZERO for line in lines}
    for charge in charges:
        amount = Decimal(charge.amount)
        if amount == 0:
            continue
        if not lines:
            raise PurchasingError("Add lines before adding charges.")
        shares = split(amount, [_basis(line, charge.method) for line in lines])
        for line, share in zip(lines, shares, strict=True):
            result[line.key] += share
    return result


def per_unit(share: Decimal, quantity: Decimal) -> Decimal:
    return (share / quantity).quantize(UNIT) if quantity else ZERO
