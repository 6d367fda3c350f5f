"""PO history, vendor performance, cost analysis and budget vs actual on hand-built orders.

Acme Parts lists bolts at 5.00 and nuts at 1.00 (packs of 6). Two orders in January 2026:
O1 10 bolts @ 5.00 + 30 nuts @ 1.00 = 80.00, expected 01-15, all received 01-12;
O2 10 bolts @ 6.00 = 60.00, in EUR at 1.10 (66.00 in USD), received 01-20 (late: expected 01-15);
a draft (never ordered).
"""

from datetime import UTC, date, datetime

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.purchasing.receiving import ReceiveItem, purchase_order_receive
from apps.purchasing.services import LineInput, purchase_order_create, purchase_order_submit
from apps.reports.models import PurchasingBudget

from .conftest import D, csv_rows, get, pdf_text, xlsx_rows

JANUARY = {"period": "custom", "date_from": "2026-01-01", "date_to": "2026-01-31"}


def at(month, day):
    return datetime(2026, month, day, 12, tzinfo=UTC)


@pytest.fixture
def orders(buying, make_order):
    o1 = purchase_order_submit(
        order=make_order(created_at=at(1, 5), expected_date=date(2026, 1, 15))
    )
    purchase_order_receive(
        order=o1,
        location=buying["shelf"],
        items=[ReceiveItem(line.pk, line.quantity, D(0), "") for line in o1.lines.all()],
        received_at=at(1, 12),
    )
    o2 = purchase_order_submit(
        order=make_order(
            LineInput(buying["bolt"].pk, D(10), D(6)),
            currency="EUR",
            exchange_rate=D("1.1"),
            created_at=at(1, 8),
            expected_date=date(2026, 1, 15),
        )
    )
    purchase_order_receive(
        order=o2,
        location=buying["shelf"],
        items=[ReceiveItem(o2.lines.get().pk, D(10), D(0), "")],
        received_at=at(1, 20),
    )
    make_order(created_at=at(1, 9))  # a draft
    return o1, o2


def test_po_history_lists_orders_with_company_currency_totals(manager_client, orders):
    o1, o2 = orders
    rows = csv_rows(manager_client, "po-history", sort="order_date", **JANUARY)
    assert [r[0] for r in rows[1:-1]] == [o1.number, o2.number, rows[3][0]]
    assert rows[1][1:] == ["2026-01-05", "Acme Parts", "MAIN", "Received", "2026-01-15",
                           "2026-01-12", "USD", "80.00", "80.00"]  # fmt: skip
    assert rows[2][7:] == ["EUR", "60.00", "66.00"]
    assert rows[3][4] == "Draft"
    assert rows[-1][-1] == "226.00"  # 80 + 66 + the draft's 80
    only = csv_rows(manager_client, "po-history", status="draft", **JANUARY)
    assert len(only) == 3 and only[-1][-1] == "80.00"
    assert len(csv_rows(manager_client, "po-history", period="custom", date_from="2026-02-01",
                        date_to="2026-02-28")) == 2  # fmt: skip


def test_vendor_performance_from_the_scorecards(manager_client, orders):
    rows = csv_rows(manager_client, "vendor-performance", **JANUARY)
    # 3 orders (the draft counts), 2 complete: O1 on time, O2 late; lead times 7 and 12 days (deviation 3.5, as the scorecard rounds it).
    assert rows[1] == ["Acme Parts", "3", "2", "50.0%", "9.50", "3.50", "100.0%", "0.0%",
                       "146.00"]  # fmt: skip
    assert rows[-1] == ["Total", "3", "2", "", "", "", "", "", "146.00"]
    february = csv_rows(manager_client, "vendor-performance", period="custom",
                        date_from="2026-02-01", date_to="2026-02-28")  # fmt: skip
    assert february[1][-1] == "0.00"


def test_cost_analysis_of_received_goods(manager_client, orders):
    rows = csv_rows(manager_client, "cost-analysis", sort="sku", **JANUARY)
    # Bolts: 10 @ 5.00 and 10 @ 6.60 (6.00 EUR at 1.10), 116.00; nuts: 30 @ 1.00.
    assert rows[1] == ["BOLT-1", "Bolt", "20", "116.00", "5.80", "5.00", "6.60", "5.80", "0.0%"]
    assert rows[2][:4] == ["NUT-1", "Nut", "30", "30.00"]
    assert rows[-1][:4] == ["Total", "", "50", "146.00"]


def test_budgets_page_and_budget_vs_actual(tenant, tenant_client, users, orders):
    tenant_client.force_login(users[Role.MANAGER])
    assert tenant_client.get("/reports/budgets/").status_code == 403
    tenant_client.force_login(users[Role.OWNER])
    bad = tenant_client.post("/reports/budgets/?year=2026", {"m1": "-5"})
    assert bad.status_code == 400 and "cannot be negative" in bad.content.decode()
    response = tenant_client.post("/reports/budgets/?year=2026", {"m1": "1000", "m2": "500"})
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        assert {b.month: b.amount for b in PurchasingBudget.objects.all()} == {
            date(2026, 1, 1): D(1000),
            date(2026, 2, 1): D(500),
        }
    rows = csv_rows(tenant_client, "budget-vs-actual", year=2026)
    # January: ordered 80 + 66 (the draft is not ordered), received the same.
    assert rows[1] == ["2026-01", "1000.00", "146.00", "146.00", "854.00", "14.6%"]
    assert rows[2] == ["2026-02", "500.00", "0.00", "0.00", "500.00", "0.0%"]
    assert rows[3] == ["2026-03", "0.00", "0.00", "0.00", "0.00", ""]
    assert rows[-1] == ["Total", "1500.00", "146.00", "146.00", "1354.00", "9.7%"]
    sheet = xlsx_rows(tenant_client, "budget-vs-actual", year=2026)
    assert sheet[-1][1] == pytest.approx(1500) and sheet[-1][5] == pytest.approx(146 / 15)
    text = pdf_text(tenant_client, "budget-vs-actual", year=2026)
    assert "1,500.00" in text and "1,354.00" in text and "9.7%" in text
    page = get(tenant_client, "budget-vs-actual", year=2026).content.decode()
    assert "1,354.00" in page and "9.7%" in page
    # Removing a month's amount removes its budget.
    tenant_client.post("/reports/budgets/?year=2026", {"m1": "1000"})
    with schema_context(tenant.schema_name):
        assert PurchasingBudget.objects.count() == 1


@pytest.mark.parametrize(
    "slug", ["po-history", "vendor-performance", "cost-analysis", "budget-vs-actual"]
)
def test_purchasing_report_pages_have_a_fixed_query_count(
    manager_client, buying, make_order, slug, django_assert_max_num_queries
):
    from apps.catalog.services import product_create, supplier_create

    params = {"year": 2026} if slug == "budget-vs-actual" else JANUARY

    def received_order(supplier, day):
        item = product_create(name=f"Part {day}", sku=f"PART-{day}").variants.get()
        order = purchase_order_submit(
            order=purchase_order_create(
                supplier=supplier,
                warehouse=buying["warehouse"],
                lines=[LineInput(item.pk, D(2), D(5))],
                created_at=at(1, day),
            )
        )
        purchase_order_receive(
            order=order,
            location=buying["shelf"],
            items=[ReceiveItem(order.lines.get().pk, D(2), D(0), "")],
            received_at=at(1, day + 2),
        )

    received_order(buying["supplier"], 3)
    with django_assert_max_num_queries(30) as one:
        assert get(manager_client, slug, **params).status_code == 200
    for i in range(8):
        received_order(supplier_create(name=f"Supplier {i}", currency="USD"), 4 + i)
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = get(manager_client, slug, **params).content.decode()
    assert body.count("<tr") >= 10  # header, nine orders/suppliers/parts (or 12 months), total


@pytest.mark.parametrize(
    "slug", ["po-history", "vendor-performance", "cost-analysis", "budget-vs-actual"]
)
def test_purchasing_reports_have_the_same_totals_in_every_format(
    tenant, manager_client, orders, slug
):
    from .conftest import assert_same_totals

    PurchasingBudget.objects.create(month=date(2026, 1, 1), amount=D("1234.5"))
    params = {"year": 2026} if slug == "budget-vs-actual" else JANUARY
    total = assert_same_totals(manager_client, slug, **params)
    assert any(v not in ("", "0", "0.00") for v in total[1:])
