"""Exchange rates for selling in other currencies than the company's.

One current rate per foreign currency (``ExchangeRate``: company currency per one unit of
it), kept by managers in the sales settings. A sales order copies the rate of its currency
when it is created (``SalesOrder.exchange_rate``; 1 in the company's own currency), prices
its lines in its currency with it (``apps.sales.pricing.tier_price``) and reports convert
its amounts back with that same captured rate, so a later rate change never rewrites
history.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from apps.purchasing.config import company_currency
from apps.sales.errors import SalesError
from apps.sales.models import ExchangeRate

ONE = Decimal("1")
CURRENCY = re.compile(r"^[A-Z]{3}$")
# Six decimals, as stored; anything finer would be silently cut.
RATE_PLACES = Decimal("0.000001")

__all__ = [
    "company_currency",
    "exchange_rate_delete",
    "exchange_rate_for",
    "exchange_rate_set",
    "order_rate",
]


def _currency(value: str) -> str:
    code = (value or "").strip().upper()
    if not CURRENCY.match(code):
        raise SalesError(
            f"“{value}” is not a three-letter currency code like EUR.", field="currency"
        )
    return code


def rate_parse(value, currency: str) -> Decimal:
    """A rate typed by a person or sent to the API: a number above zero, six decimals at most."""
    try:
        rate = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError, TypeError):
        rate = None
    if rate is None or not rate.is_finite():
        raise SalesError(f"The rate of {currency} must be a number.", field="rate")
    if rate <= 0:
        raise SalesError(f"The rate of {currency} must be greater than zero.", field="rate")
    if rate.quantize(RATE_PLACES) != rate:
        raise SalesError(f"The rate of {currency} has at most six decimals.", field="rate")
    if rate >= Decimal("100000000"):
        raise SalesError(f"The rate of {currency} is too large.", field="rate")
    return rate


def exchange_rate_set(*, currency: str, rate, user=None) -> ExchangeRate:
    """Create or change the rate of ``currency`` (not the company's own: that is always 1)."""
    code = _currency(currency)
    home = company_currency()
    if code == home:
        raise SalesError(
            f"{home} is the company's own currency; its rate is always 1.", field="currency"
        )
    value = rate_parse(rate, code)
    with transaction.atomic():
        row, _ = ExchangeRate.objects.update_or_create(
            currency=code,
            defaults={"rate": value, "updated_at": timezone.now(), "updated_by": user},
        )
    return row


def exchange_rate_delete(*, currency: str) -> None:
    ExchangeRate.objects.filter(currency=(currency or "").strip().upper()).delete()


def exchange_rate_for(currency: str) -> Decimal:
    """Today's rate of ``currency`` into the company's (1 for the company's own); a refusal in
    words when nobody has set one yet."""
    code = (currency or "").upper()
    home = company_currency()
    if not code or code == home:
        return ONE
    rate = ExchangeRate.objects.filter(currency=code).values_list("rate", flat=True).first()
    if rate is None:
        raise SalesError(
            f"There is no exchange rate for {code} yet: set how many {home} one {code} is worth "
            "in Sales settings → Exchange rates before taking orders in it.",
            field="exchange_rate",
        )
    return rate


def order_rate(currency: str, given=None) -> Decimal:
    """The rate a new order in ``currency`` captures: ``given`` (the rate a web shop or an API
    client charged at) when there is one, else today's; always 1 in the company's currency."""
    if given in (None, ""):
        return exchange_rate_for(currency)
    if (currency or "").upper() == company_currency():
        return ONE
    return rate_parse(given, currency.upper())
