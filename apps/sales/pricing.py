"""Money on a sales order line, in ``Decimal``, rounded per line.

The rule (docs/sales.md shows worked examples):

1. ``line_subtotal  = round(quantity × unit_price)``
2. ``discount_amount = round(line_subtotal × discount_percent / 100)``
3. ``tax_amount      = round((line_subtotal − discount_amount) × tax_rate / 100)``
4. ``line_total      = line_subtotal − discount_amount + tax_amount``

Every ``round`` is to cents with the company's rounding mode (half up by default,
or half to even). Order totals are plain sums of the rounded line amounts, so an
invoice's lines always add up to its total to the cent.

A line's list price comes from the customer's price tier: the variant's selling price
less the tier's discount percent, rounded the same way. Catalog prices are in the company's
currency; for an order in another currency the tier price is divided by the order's
exchange rate (company currency per unit of the order's) before the one rounding:

    ``list_price = round(sale_price × (100 − tier %) / 100 ÷ rate)``
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}


def money(value: Decimal, rounding: str = "half_up") -> Decimal:
    return Decimal(value).quantize(CENT, rounding=MODES.get(rounding, ROUND_HALF_UP))


@dataclass(frozen=True)
class LineMoney:
    line_subtotal: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    line_total: Decimal


def line_money(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal = ZERO,
    tax_rate: Decimal = ZERO,
    rounding: str = "half_up",
) -> LineMoney:
    subtotal = money(Decimal(quantity) * Decimal(unit_price), rounding)
    discount = money(subtotal * Decimal(discount_percent) / HUNDRED, rounding)
    tax = money((subtotal - discount) * Decimal(tax_rate) / HUNDRED, rounding)
    return LineMoney(subtotal, discount, tax, subtotal - discount + tax)


def tier_price(
    sale_price: Decimal,
    tier_discount_percent: Decimal | None,
    rounding: str,
    rate: Decimal = Decimal("1"),
) -> Decimal:
    """The variant's price for a customer on a tier (no tier: the selling price), in the
    order's currency: ``rate`` is company currency per one unit of it (1: the same)."""
    percent = Decimal(tier_discount_percent or 0)
    return money(Decimal(sale_price) * (HUNDRED - percent) / HUNDRED / Decimal(rate), rounding)
