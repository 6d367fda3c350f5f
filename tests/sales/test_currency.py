"""Selling in the customer's currency: exchange rates, the rate an order captures, prices
converted from the catalog, and the sales reports converting back to the company's currency.

Worked example (docs/sales.md): the company sells in USD; 1 EUR = 1.085 USD. The shirt's
selling price is 20.00 USD and the customer's tier takes 10 % off: 18.00 USD, so
18.00 ÷ 1.085 = 16.5898… → **16.59 EUR**. Three shirts at 8.25 % tax: subtotal 49.77,
tax 4.106… → 4.11, total 53.88 EUR. Net sales in the company's currency: 49.77 × 1.085 =
54.00045 → **54.00 USD**. The mug (7.99 USD, 10 % off = 7.191 USD) → 6.6276… → 6.63 EUR.
"""

from datetime import date

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.reports.registry import report_get
from apps.sales.currency import exchange_rate_for, exchange_rate_set
from apps.sales.errors import SalesError
from apps.sales.models import Customer, ExchangeRate, SalesOrder
from apps.sales.pricing import tier_price
from apps.sales.services import LineInput, sales_order_create, sales_order_update

from .conftest import D

YEAR = {"period": "custom", "date_from": "2026-01-01", "date_to": "2026-12-31"}


@pytest.fixture
def euro(selling):
    exchange_rate_set(currency="eur", rate="1.085")
    return Customer.objects.create(
        name="Euro GmbH", currency="EUR", price_tier=selling["tier"], email="eu@gmbh.test"
    )


def run(slug, **query):
    report = report_get(slug)
    form = report.form(query)
    assert form.is_valid(), form.errors
    rows = list(report.rows(form.cleaned_data))
    return rows, report.totals(rows)


def test_an_order_in_euros_captures_the_rate_and_converts_the_prices(selling, euro):
    order = sales_order_create(
        customer=euro,
        lines=[LineInput(selling["shirt"].pk, D(3), tax_rate=D("8.25"))],
        order_date=date(2026, 3, 2),
    )
    assert (order.currency, order.exchange_rate) == ("EUR", D("1.085"))
    line = order.lines.get()
    assert (line.list_price, line.unit_price, line.price_overridden) == (
        D("16.59"),
        D("16.59"),
        False,
    )
    assert (line.line_subtotal, line.tax_amount, line.line_total) == (
        D("49.77"),
        D("4.11"),
        D("53.88"),
    )
    assert (order.subtotal, order.total) == (D("49.77"), D("53.88"))

    # A new rate is for new orders: this one keeps its rate and prices, also when edited.
    exchange_rate_set(currency="EUR", rate="1.2")
    order = sales_order_update(
        order=order,
        lines=[
            LineInput(selling["shirt"].pk, D(3), tax_rate=D("8.25")),
            LineInput(selling["mug"].pk, D(1), tax_rate=D(0)),
        ],
    )
    order.refresh_from_db()
    assert order.exchange_rate == D("1.085")
    assert sorted(order.lines.values_list("unit_price", flat=True)) == [D("6.63"), D("16.59")]
    newer = sales_order_create(customer=euro, lines=[LineInput(selling["shirt"].pk, D(1))])
    assert (newer.exchange_rate, newer.lines.get().unit_price) == (D("1.2"), D("15.00"))


def test_orders_in_the_company_currency_keep_catalog_prices_and_rate_one(selling, make_order):
    order = make_order(LineInput(selling["shirt"].pk, D(1)))
    assert (order.currency, order.exchange_rate) == ("USD", D(1))
    assert order.lines.get().unit_price == D("18.00")


def test_conversion_rounds_once_with_the_company_rounding_mode():
    # 1.00 USD at 0.32 USD per unit = 3.125 units exactly: the mode decides the half cent.
    assert tier_price(D("1.00"), None, "half_up", D("0.32")) == D("3.13")
    assert tier_price(D("1.00"), None, "half_even", D("0.32")) == D("3.12")
    # The tier discount is applied before the one rounding, not to a rounded price.
    assert tier_price(D("19.99"), D(10), "half_up", D("1.085")) == D("16.58")  # 16.5815…


def test_no_rate_no_order_and_nothing_is_written(selling):
    swiss = Customer.objects.create(name="Zürich AG", currency="CHF")
    with pytest.raises(SalesError, match="no exchange rate for CHF"):
        sales_order_create(customer=swiss, lines=[LineInput(selling["shirt"].pk, D(1))])
    assert not SalesOrder.objects.exists()
    # A rate given with the order (a web shop's, say) is used as it is.
    order = sales_order_create(
        customer=swiss, lines=[LineInput(selling["shirt"].pk, D(1))], exchange_rate="1.1"
    )
    assert (order.exchange_rate, order.lines.get().unit_price) == (
        D("1.1"),
        D("18.18"),
    )  # 20.00 ÷ 1.1, no tier


@pytest.mark.parametrize(
    ("currency", "rate", "message"),
    [
        ("EURO", "1.1", "not a three-letter currency code"),
        ("USD", "1.1", "the company's own currency"),
        ("EUR", "0", "greater than zero"),
        ("EUR", "-2", "greater than zero"),
        ("EUR", "abc", "must be a number"),
        ("EUR", "NaN", "must be a number"),
        ("EUR", "1.0000001", "six decimals"),
    ],
)
def test_bad_rates_are_refused_in_words(in_tenant, currency, rate, message):
    with pytest.raises(SalesError, match=message):
        exchange_rate_set(currency=currency, rate=rate)
    assert not ExchangeRate.objects.exists()
    assert exchange_rate_for("usd") == D(1)


def test_sales_reports_convert_to_the_company_currency_and_never_add_euros_to_dollars(
    selling, euro, make_order
):
    usd = make_order(
        LineInput(selling["shirt"].pk, D(2), tax_rate=D(0)), order_date=date(2026, 3, 1)
    )
    eur = sales_order_create(
        customer=euro,
        lines=[LineInput(selling["shirt"].pk, D(3), tax_rate=D("8.25"))],
        order_date=date(2026, 3, 2),
    )
    SalesOrder.objects.filter(pk__in=[usd.pk, eur.pk]).update(status="confirmed")
    assert usd.subtotal == D("36.00")  # 2 × 18.00 USD

    rows, totals = run("sales-by-customer", **YEAR)
    by_currency = {r["currency"]: r for r in rows}
    assert (by_currency["EUR"]["net"], by_currency["EUR"]["net_company"]) == (
        D("49.77"),
        D("54.00"),
    )
    assert by_currency["USD"]["net_company"] == D("36.00")
    # 36 USD + 49.77 EUR is not 85.77 of anything: those totals stay empty.
    assert (totals["net"], totals["tax"], totals["total"]) == (None, None, None)
    assert totals["net_company"] == D("90.00") and totals["orders"] == 2

    rows, totals = run("sales-by-customer", currency="EUR", **YEAR)
    assert (totals["net"], totals["net_company"]) == (D("49.77"), D("54.00"))

    for slug in ("sales-by-product", "sales-by-period", "sales-by-channel"):
        rows, totals = run(slug, **YEAR)
        assert totals["net"] is None and totals["net_company"] == D("90.00"), slug
    rows, _ = run("sales-by-channel", **YEAR)
    # Shares of the company-currency whole: 54 / 90 and 36 / 90.
    assert sorted(r["share"] for r in rows) == [D("40.0"), D("60.0")]


def test_the_sales_report_csv_shows_the_converted_total(web, tenant, selling):
    with schema_context(tenant.schema_name):
        exchange_rate_set(currency="EUR", rate="2")
        euro = Customer.objects.create(name="Euro GmbH", currency="EUR")
        order = sales_order_create(
            customer=euro,
            lines=[LineInput(selling["mug"].pk, D(1), unit_price=D("5.00"), tax_rate=D(0))],
        )
        SalesOrder.objects.filter(pk=order.pk).update(status="confirmed")
    response = web.login_as(Role.MANAGER).get(
        "/reports/sales-by-customer/", {"format": "csv", "period": "this_year"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert "Net sales (company currency)" in text[0]
    assert text[1].startswith("Euro GmbH,EUR,1,5.00,0.00,5.00,10.00")
    assert text[-1].startswith("Total,,1,5.00,0.00,5.00,10.00")  # one currency: all total


def test_managers_set_rates_on_their_page_clerks_cannot(web, tenant, selling):
    clerk = web.login_as(Role.CLERK)
    assert clerk.get("/sales/exchange-rates/").status_code == 403
    manager = web.login_as(Role.MANAGER)
    with schema_context(tenant.schema_name):
        Customer.objects.create(name="Euro GmbH", currency="EUR")
    page = manager.get("/sales/exchange-rates/").content.decode()
    assert "billed in EUR without a rate" in page
    bad = manager.post("/sales/exchange-rates/", {"currency": "EUR", "rate": "-1"})
    assert bad.status_code == 422 and "greater than zero" in bad.content.decode()
    good = manager.post("/sales/exchange-rates/", {"currency": "eur", "rate": "1,085"})
    assert good.status_code == 302
    with schema_context(tenant.schema_name):
        from apps.audit.models import AuditEvent

        row = ExchangeRate.objects.get()
        assert (row.currency, row.rate, row.updated_by.role) == ("EUR", D("1.085"), Role.MANAGER)
        # Rates set prices: every change is in the audit trail.
        assert AuditEvent.objects.filter(table_name="sales_exchangerate", action="create").exists()
    assert "without a rate" not in manager.get("/sales/exchange-rates/").content.decode()
    change = manager.get("/sales/exchange-rates/?currency=EUR").content.decode()
    assert 'value="1.085"' in change  # "Change" fills the form with the current rate
    assert manager.post("/sales/exchange-rates/EUR/remove/").status_code == 302
    with schema_context(tenant.schema_name):
        assert not ExchangeRate.objects.exists()


def test_rfm_ranks_customers_by_revenue_in_the_company_currency(selling, euro, make_order):
    from django.core.cache import cache

    from apps.sales.customers.orders import snapshot

    # 100 EUR at 1.085 is 108.50 USD: more than the 105 USD order, though fewer units.
    eur = sales_order_create(
        customer=euro, lines=[LineInput(selling["mug"].pk, D(1), unit_price=D(100), tax_rate=D(0))]
    )
    usd = make_order(LineInput(selling["mug"].pk, D(1), unit_price=D(105), tax_rate=D(0)))
    SalesOrder.objects.filter(pk__in=[eur.pk, usd.pk]).update(status="confirmed")
    cache.clear()
    totals, scores = snapshot()
    assert (totals[euro.pk].revenue, totals[euro.pk].revenue_company) == (D(100), D("108.50"))
    assert scores[euro.pk].monetary == D("108.50")
    assert scores[euro.pk].m > scores[selling["customer"].pk].m
