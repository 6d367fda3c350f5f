"""Customer value from a plain list of sales: (date, amount) pairs, oldest first.

No Django here: the page feeds it from ``orders.order_history`` and tests feed it by hand.

- *Lifetime revenue* (historic CLV): the sum of the amounts.
- *Average order value* (AOV): revenue / orders.
- *Purchase frequency*: orders per year over the customer's tenure, where tenure runs
  from the first order to today but counts as at least one year (a customer whose first
  order was last week has bought once "this year", not 52 times a year).
- *Predictive CLV* = AOV × purchase frequency × expected lifetime in years (3 unless the
  caller says otherwise): what the customer is expected to spend over a whole
  relationship, counted from the first order.
- *Average days between orders*: (last − first) / (orders − 1), from two orders on.

Amounts are rounded to cents at the end only (half up), never in between.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
DAYS_PER_YEAR = Decimal("365.25")
EXPECTED_LIFETIME_YEARS = Decimal("3")
MIN_TENURE_DAYS = Decimal("365.25")


@dataclass(frozen=True)
class CustomerValue:
    orders: int
    revenue: Decimal
    average_order_value: Decimal | None
    first_order: date | None
    last_order: date | None
    days_since_last_order: int | None
    average_days_between_orders: Decimal | None
    purchase_frequency_per_year: Decimal | None
    expected_lifetime_years: Decimal
    predicted_clv: Decimal | None


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def customer_value(
    sales: Sequence[tuple[date, Decimal]],
    *,
    today: date,
    expected_lifetime_years: Decimal = EXPECTED_LIFETIME_YEARS,
) -> CustomerValue:
    sales = sorted(sales, key=lambda s: s[0])
    count = len(sales)
    revenue = sum((Decimal(amount) for _, amount in sales), Decimal("0"))
    if not count:
        return CustomerValue(
            0, _cents(revenue), None, None, None, None, None, None, expected_lifetime_years, None
        )
    first, last = sales[0][0], sales[-1][0]
    aov = revenue / count
    tenure_days = max(Decimal((today - first).days), MIN_TENURE_DAYS)
    frequency = Decimal(count) / (tenure_days / DAYS_PER_YEAR)
    between = (
        (Decimal((last - first).days) / (count - 1)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if count > 1
        else None
    )
    return CustomerValue(
        orders=count,
        revenue=_cents(revenue),
        average_order_value=_cents(aov),
        first_order=first,
        last_order=last,
        days_since_last_order=(today - last).days,
        average_days_between_orders=between,
        purchase_frequency_per_year=frequency.quantize(Decimal("0.01"), ROUND_HALF_UP),
        expected_lifetime_years=expected_lifetime_years,
        predicted_clv=_cents(aov * frequency * expected_lifetime_years),
    )
