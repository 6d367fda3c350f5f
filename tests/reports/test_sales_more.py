"""Sales by channel, order fulfilment, returns, gross margin and receivables aging on a
hand-built book.

Stock: 100 shirts (category Apparel) received at 8.00, 50 mugs (no category) at 3.00.
January 2026 orders (USD):
O1 Ada, web, 01-05: 10 shirts, 200.00 less 20.00 discount = 180.00 net, tax 18, total 198;
   all shipped 01-06 (1 day: on time; written without a promised date, so it is promised on
   order date + the default 2 handling days).
O2 Bob, web, 01-10: 5 shirts 100.00 + 4 mugs 40.00 = 140.00, tax 14, total 154;
   all shipped 01-15 (5 days: late).
O3 Ada, phone, 01-20: 2 mugs 20.00, never shipped (late: due 01-22, long gone).
A draft on 01-21 and a marketplace order in February do not count.
Returns in January: R1 (O1, "Damaged") 2 shirts scrapped + 1 shirt restocked "Wrong size";
R2 (O2) 1 mug restocked "Wrong size". R3 in February does not count.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from apps.catalog.models import Category, Product, Variant
from apps.inventory.models import Location, Warehouse
from apps.inventory.services import MoveLine, stock_moves_post
from apps.reports.definitions.sales_more import aging_bucket
from apps.reports.registry import report_get
from apps.sales.models import (
    Customer,
    Invoice,
    Payment,
    SalesOrder,
    SalesOrderLine,
    SalesReturn,
    SalesReturnLine,
    Shipment,
    ShipmentLine,
)

from .conftest import D, assert_same_totals, csv_rows, get

JANUARY = {"period": "custom", "date_from": "2026-01-01", "date_to": "2026-01-31"}


def at(month, day, year=2026):
    return datetime(year, month, day, 12, tzinfo=UTC)


def run(slug, **query):
    report = report_get(slug)
    form = report.form(query)
    assert form.is_valid(), form.errors
    return report.rows(form.cleaned_data), report


def _order(number, customer, channel, day, status, lines, tax=None):
    order = SalesOrder.objects.create(
        number=number,
        customer=customer,
        channel=channel,
        order_date=day,
        status=status,
        currency="USD",
    )
    subtotal = discount = D(0)
    made = []
    for variant, quantity, line_subtotal, line_discount in lines:
        made.append(
            SalesOrderLine.objects.create(
                order=order,
                variant=variant,
                quantity=D(quantity),
                unit_price=D(line_subtotal) / D(quantity),
                line_subtotal=D(line_subtotal),
                discount_amount=D(line_discount),
            )
        )
        subtotal += D(line_subtotal)
        discount += D(line_discount)
    tax = tax or D(0)
    order.subtotal, order.discount_total, order.tax_total = subtotal, discount, tax
    order.total = subtotal - discount + tax
    order.save()
    return order, made


def _ship(number, order, when, bin_, items):
    moves = stock_moves_post(
        lines=[MoveLine(line.variant_id, bin_.pk, -D(qty), None) for line, qty in items],
        kind="shipment",
        occurred_at=when,
    )
    shipment = Shipment.objects.create(
        number=number, order=order, warehouse=bin_.warehouse, shipped_at=when
    )
    for (line, qty), move in zip(items, moves, strict=True):
        ShipmentLine.objects.create(
            shipment=shipment, order_line=line, location=bin_, quantity=D(qty), move=move
        )


def _return(number, order, when, reason, lines):
    sales_return = SalesReturn.objects.create(number=number, order=order, reason=reason)
    SalesReturn.objects.filter(pk=sales_return.pk).update(created_at=when)
    for line, qty, why, disposition in lines:
        SalesReturnLine.objects.create(
            sales_return=sales_return,
            order_line=line,
            quantity=D(qty),
            reason=why,
            disposition=disposition,
        )


@pytest.fixture
def book(in_tenant):
    warehouse = Warehouse.objects.create(code="MAIN", name="Main")
    bin_ = Location.objects.create(warehouse=warehouse, code="A-01")
    apparel = Category.objects.create(name="Apparel")
    shirt = Variant.objects.create(
        product=Product.objects.create(name="Shirt", category=apparel), sku="SHIRT"
    )
    mug = Variant.objects.create(product=Product.objects.create(name="Mug"), sku="MUG")
    stock_moves_post(
        lines=[MoveLine(shirt.pk, bin_.pk, D(100), D(8)), MoveLine(mug.pk, bin_.pk, D(50), D(3))],
        kind="receipt",
        occurred_at=at(12, 1, 2025),
    )
    ada = Customer.objects.create(name="Ada Shop")
    bob = Customer.objects.create(name="Bob Store")
    o1, (o1_shirt,) = _order(
        "SO-1", ada, "web", date(2026, 1, 5), "shipped", [(shirt, 10, 200, 20)], tax=D(18)
    )
    o2, (o2_shirt, o2_mug) = _order(
        "SO-2",
        bob,
        "web",
        date(2026, 1, 10),
        "shipped",
        [(shirt, 5, 100, 0), (mug, 4, 40, 0)],
        tax=D(14),
    )
    _order("SO-3", ada, "phone", date(2026, 1, 20), "confirmed", [(mug, 2, 20, 0)])
    _order("SO-4", ada, "web", date(2026, 1, 21), "draft", [(mug, 99, 999, 0)])
    _order("SO-5", bob, "marketplace", date(2026, 2, 3), "confirmed", [(mug, 5, 50, 0)])
    _ship("SH-1", o1, at(1, 6), bin_, [(o1_shirt, 10)])
    _ship("SH-2", o2, at(1, 15), bin_, [(o2_shirt, 5), (o2_mug, 4)])
    _return(
        "RMA-1",
        o1,
        at(1, 25),
        "Damaged",
        [(o1_shirt, 2, "", "scrap"), (o1_shirt, 1, "Wrong size", "restock")],
    )
    _return("RMA-2", o2, at(1, 28), "", [(o2_mug, 1, "Wrong size", "restock")])
    _return("RMA-3", o2, at(2, 2), "Late", [(o2_shirt, 1, "", "scrap")])
    return {"ada": ada, "bob": bob, "o1": o1, "o2": o2}


def test_sales_by_channel_counts_confirmed_orders_per_channel(book):
    rows, report = run("sales-by-channel", **JANUARY)
    by_channel = {r["channel"]: r for r in rows}
    assert set(by_channel) == {"Web shop", "Phone"}
    web, phone = by_channel["Web shop"], by_channel["Phone"]
    assert (web["orders"], web["customers"]) == (2, 2)
    assert (web["net"], web["tax"], web["total"]) == (D("320"), D("32"), D("352"))
    assert web["average"] == D("160.00") and web["share"] == D("94.1")
    assert (phone["orders"], phone["net"], phone["share"]) == (1, D("20"), D("5.9"))
    assert report.totals(rows)["net"] == D("340")


def test_order_fulfilment_measures_days_to_ship_and_on_time_rate(book):
    rows, report = run("order-fulfilment", **JANUARY)
    by_channel = {r["channel"]: r for r in rows}
    web, phone = by_channel["Web shop"], by_channel["Phone"]
    assert (web["orders"], web["shipped"], web["on_time"], web["late"]) == (2, 2, 1, 1)
    assert web["days_to_ship"] == D("3.00") and web["on_time_rate"] == D("50.0")
    assert web["ship_days"] == 6  # 1 + 5
    # Not shipped and past its promised date: late, with no days to ship yet.
    assert (phone["shipped"], phone["late"], phone["days_to_ship"]) == (0, 1, None)
    assert phone["on_time_rate"] == D("0.0")
    totals = report.totals(rows)
    assert (totals["orders"], totals["on_time"], totals["late"]) == (3, 1, 2)
    assert totals["days_to_ship"] == D("3.00") and totals["on_time_rate"] == D("33.3")
    # O2 promised for the day it shipped (01-15): on time; O1 promised before its ship day
    # (the order date itself): late. Each order's own promised date decides.
    SalesOrder.objects.filter(pk=book["o2"].pk).update(promised_date=date(2026, 1, 15))
    SalesOrder.objects.filter(pk=book["o1"].pk).update(promised_date=date(2026, 1, 5))
    rows, report = run("order-fulfilment", **JANUARY)
    web = {r["channel"]: r for r in rows}["Web shop"]
    assert (web["on_time"], web["late"], web["on_time_rate"]) == (1, 1, D("50.0"))
    SalesOrder.objects.filter(pk=book["o1"].pk).update(promised_date=date(2026, 1, 6))
    rows, report = run("order-fulfilment", **JANUARY)
    assert report.totals(rows)["on_time_rate"] == D("66.7")  # O1, O2 on time; O3 late


def test_order_fulfilment_without_a_promised_date_uses_the_handling_days(book):
    from apps.sales.config import sales_settings

    settings = sales_settings()
    settings.default_handling_days = 5  # O2 shipped 5 days after its order date
    settings.save()
    rows, report = run("order-fulfilment", **JANUARY)
    assert report.totals(rows)["on_time"] == 2


def test_returns_by_reason_and_disposition(book):
    rows, report = run("returns", **JANUARY)
    got = {(r["reason"], r["disposition"]): (r["returns"], r["quantity"], r["value"]) for r in rows}
    assert got == {
        ("Damaged", "Scrap"): (1, D(2), D("36.00")),  # the return's reason when the line has none
        ("Wrong size", "Restock"): (2, D(2), D("28.00")),  # a shirt at 18.00 and a mug at 10.00
    }
    totals = report.totals(rows)
    assert (totals["quantity"], totals["value"]) == (D(4), D("64.00"))


def test_gross_margin_by_product_uses_the_shipment_moves_cost(book):
    rows, report = run("gross-margin-by-product", **JANUARY)
    got = {
        r["sku"]: (r["quantity"], r["revenue"], r["cost"], r["margin"], r["margin_percent"])
        for r in rows
    }
    assert got == {
        "SHIRT": (D(15), D("280.00"), D("120.00"), D("160.00"), D("57.1")),
        "MUG": (D(4), D("40.00"), D("12.00"), D("28.00"), D("70.0")),
    }
    totals = report.totals(rows)
    assert (totals["revenue"], totals["cost"], totals["margin"]) == (
        D("320.00"),
        D("132.00"),
        D("188.00"),
    )
    assert totals["margin_percent"] == D("58.8")  # of the totals, not a sum of percentages


def test_gross_margin_by_category(book):
    rows, _ = run("gross-margin-by-category", **JANUARY)
    got = {r["category"]: (r["revenue"], r["cost"], r["margin"]) for r in rows}
    assert got == {
        "Apparel": (D("280.00"), D("120.00"), D("160.00")),
        "Uncategorised": (D("40.00"), D("12.00"), D("28.00")),
    }
    # Nothing shipped in February.
    assert run("gross-margin-by-category", period="custom", date_from="2026-02-01",
               date_to="2026-02-28")[0] == []  # fmt: skip


@pytest.mark.parametrize(
    "days,bucket",
    [(-5, "current"), (0, "current"), (1, "d1_30"), (30, "d1_30"), (31, "d31_60"),
     (60, "d31_60"), (61, "d61_90"), (90, "d61_90"), (91, "d90_plus"), (400, "d90_plus")],
)  # fmt: skip
def test_aging_bucket_edges(days, bucket):
    assert aging_bucket(days) == bucket


def _invoice(number, order, issued, due, total, paid=0, status="unpaid", paid_on=None):
    invoice = Invoice.objects.create(
        number=number,
        order=order,
        currency="USD",
        issue_date=issued,
        due_date=due,
        total=D(total),
        amount_paid=D(paid),
        payment_status=status,
    )
    if paid:
        Payment.objects.create(invoice=invoice, amount=D(paid), received_on=paid_on)
    return invoice


@pytest.fixture
def invoices(book):
    o1, o2 = book["o1"], book["o2"]
    _invoice("INV-1", o1, date(2026, 2, 8), date(2026, 3, 10), 100)  # not yet due
    _invoice(
        "INV-2", o1, date(2026, 1, 16), date(2026, 2, 15), 198, 98, "partial", date(2026, 2, 20)
    )
    _invoice("INV-3", o2, date(2025, 12, 16), date(2026, 1, 15), 154)  # 45 days
    _invoice("INV-4", o2, date(2025, 11, 1), date(2025, 12, 1), 50)  # 90 days
    _invoice("INV-5", o2, date(2025, 10, 1), date(2025, 11, 1), 20)  # 120 days
    _invoice("INV-6", o2, date(2025, 10, 1), date(2025, 11, 1), 70, 70, "paid", date(2025, 12, 1))
    # Paid in full, but only after the report's date: still open (9 days late) on 03-01.
    _invoice("INV-8", o2, date(2026, 1, 21), date(2026, 2, 20), 30, 30, "paid", date(2026, 3, 5))
    _invoice("INV-7", o1, date(2026, 3, 5), date(2026, 4, 5), 500)  # issued after the date


def test_receivables_aging_buckets_open_balances(invoices):
    rows, report = run("receivables-aging", as_of="2026-03-01")
    got = {r["customer"]: r for r in rows}
    ada, bob = got["Ada Shop"], got["Bob Store"]
    assert (ada["invoices"], ada["current"], ada["d1_30"], ada["balance"]) == (
        2,
        D(100),
        D(100),
        D(200),
    )
    assert (bob["invoices"], bob["d1_30"], bob["d31_60"], bob["d61_90"], bob["d90_plus"]) == (
        4,
        D(30),
        D(154),
        D(50),
        D(20),
    )
    assert bob["balance"] == D(254) and bob["current"] == D(0)
    assert report.totals(rows)["balance"] == D(454)
    # Ten days later INV-8 is paid, INV-1 is due, INV-7 is issued (not yet due).
    rows, report = run("receivables-aging", as_of="2026-03-10")
    got = {r["customer"]: r for r in rows}
    assert got["Bob Store"]["invoices"] == 3 and got["Bob Store"]["d1_30"] == D(0)
    assert (got["Ada Shop"]["invoices"], got["Ada Shop"]["current"]) == (3, D(600))


def test_receivables_aging_in_every_format(manager_client, invoices):
    total = assert_same_totals(manager_client, "receivables-aging", as_of="2026-03-01")
    assert total[2] == "6" and total[-1] == "454.00"


@pytest.mark.parametrize(
    "slug", ["sales-by-channel", "order-fulfilment", "returns", "gross-margin-by-product"]
)
def test_sales_reports_agree_in_every_format(manager_client, book, slug):
    total = assert_same_totals(manager_client, slug, **JANUARY)
    assert any(v not in ("", "0", "0.00", "0.0%") for v in total[1:])


def test_bad_dates_are_explained_not_a_500(manager_client, book):
    page = get(manager_client, "returns", period="custom", date_from="2026-02-01",
               date_to="2026-01-01")  # fmt: skip
    assert page.status_code == 400  # the form again, with the reason in words
    assert "The start date is after the end date." in page.content.decode()


def test_csv_lists_the_margin_rows(manager_client, book):
    rows = csv_rows(manager_client, "gross-margin-by-category", sort="category", **JANUARY)
    assert rows[1][:6] == ["Apparel", "USD", "15", "280.00", "120.00", "160.00"]
    assert rows[-1][0] == "Total"


def _more(book, count):
    """``count`` more customers, each with a shipped web order of a new product, a return and
    an overdue invoice: more rows in every report."""
    bin_ = Location.objects.get(code="A-01")
    category = Category.objects.create(name=f"Cat {count}")
    for i in range(count):
        variant = Variant.objects.create(
            product=Product.objects.create(name=f"P{count}-{i}", category=category),
            sku=f"X{count}-{i}",
        )
        stock_moves_post(
            lines=[MoveLine(variant.pk, bin_.pk, D(5), D(1))], kind="receipt", occurred_at=at(1, 1)
        )
        customer = Customer.objects.create(name=f"Customer {count}-{i}")
        order, (line,) = _order(
            f"SO-{count}-{i}", customer, "web", date(2026, 1, 7), "shipped", [(variant, 2, 10, 0)]
        )
        _ship(f"SH-{count}-{i}", order, at(1, 8), bin_, [(line, 2)])
        _return(
            f"RMA-{count}-{i}", order, at(1, 9), f"Reason {count}-{i}", [(line, 1, "", "scrap")]
        )
        _invoice(f"INV-{count}-{i}", order, date(2026, 1, 8), date(2026, 2, 7), 10)


@pytest.mark.parametrize(
    "slug,query",
    [
        ("sales-by-channel", JANUARY),
        ("order-fulfilment", JANUARY),
        ("returns", JANUARY),
        ("gross-margin-by-product", JANUARY),
        ("gross-margin-by-category", JANUARY),
        ("receivables-aging", {"as_of": "2026-03-01"}),
    ],
)
def test_pages_have_a_fixed_query_count(
    manager_client, book, slug, query, django_assert_max_num_queries
):
    _more(book, 1)
    with django_assert_max_num_queries(30) as one:
        assert get(manager_client, slug, **query).status_code == 200
    _more(book, 12)
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = get(manager_client, slug, **query).content.decode()
    if slug in {"returns", "gross-margin-by-product", "receivables-aging"}:
        assert body.count("<tr") > 12


def test_order_fulfilment_an_unshipped_order_not_yet_due_is_neither_on_time_nor_late(book):
    from django.utils import timezone

    today = timezone.localdate()
    order, _ = _order("SO-9", book["ada"], "phone", today, "confirmed", [])
    SalesOrder.objects.filter(pk=order.pk).update(promised_date=today)  # due today: not late
    period = {"period": "custom", "date_from": today.isoformat(), "date_to": today.isoformat()}
    rows, report = run("order-fulfilment", **period)
    assert [(r["orders"], r["shipped"], r["on_time"], r["late"]) for r in rows] == [(1, 0, 0, 0)]
    assert rows[0]["on_time_rate"] is None
    SalesOrder.objects.filter(pk=order.pk).update(promised_date=today - timedelta(days=1))
    rows, report = run("order-fulfilment", **period)
    assert (rows[0]["late"], rows[0]["on_time_rate"]) == (1, D("0.0"))
