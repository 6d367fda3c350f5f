import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook
from pypdf import PdfReader

from apps.accounts.models import Role
from apps.catalog.models import Product, Variant
from apps.inventory.models import Location, Warehouse
from apps.inventory.services import MoveLine, stock_moves_post
from apps.reports.dates import preset_range


def days_ago(n: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)


@pytest.fixture
def ledger(tenant):
    """Hand-built history of one variant (costs are simple enough to check by hand):
    200 days ago +10 @ 2.00; 100 days ago +10 @ 4.00 (average 3.00);
    50 days ago −5 (at 3.00; FIFO takes the oldest layer); 10 days ago +5 @ 6.00."""
    with schema_context(tenant.schema_name):
        main = Warehouse.objects.create(code="MAIN", name="Main")
        bin_ = Location.objects.create(warehouse=main, code="A-01")
        mug = Variant.objects.create(product=Product.objects.create(name="Mug"), sku="MUG")
        for qty, cost, age, kind in [(10, "2", 200, "receipt"), (10, "4", 100, "receipt"),
                                     (-5, None, 50, "shipment"), (5, "6", 10, "receipt")]:  # fmt: skip
            stock_moves_post(
                lines=[MoveLine(mug.pk, bin_.pk, D(qty), D(cost) if cost else None)],
                kind=kind,
                occurred_at=days_ago(age),
            )
    return {"bin": bin_, "variant": mug}


def get(client, slug, **params):
    from urllib.parse import urlencode

    return client.get(f"/reports/{slug}/?{urlencode(params)}")


def test_valuation_as_of_a_past_date_is_rebuilt_from_the_ledger(tenant_client, users, ledger):
    tenant_client.force_login(users[Role.MANAGER])
    as_of = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    rows = list(
        csv.reader(
            io.StringIO(
                get(tenant_client, "valuation-as-of", as_of=as_of, format="csv")
                .getvalue()
                .decode("utf-8-sig")
            )
        )
    )
    # 40 days ago: +10@2 +10@4 −5@3 = 15 units worth 20 + 40 − 15 = 45.
    assert rows[1] == ["MUG", "Mug", "15", "3.00", "45.00"]
    today = list(
        csv.reader(
            io.StringIO(
                get(tenant_client, "valuation-as-of", format="csv").getvalue().decode("utf-8-sig")
            )
        )
    )
    assert today[1][2:] == ["20", "3.75", "75.00"]  # + 5@6 → 20 units, 75.00


def test_stock_aging_buckets_from_fifo_layers(tenant_client, users, ledger):
    tenant_client.force_login(users[Role.MANAGER])
    body = get(tenant_client, "stock-aging", format="csv").getvalue().decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(body)))[:2]
    assert header[2:6] == ["0–30 days", "31–90 days", "91–180 days", "over 180 days"]
    # FIFO: the shipment took 5 from the 200-day layer → 5 left there, 10 at 100 days, 5 at 10 days.
    assert row[2:8] == ["5", "0", "10", "5", "20", "80.00"]  # value 5×6 + 10×4 + 5×2


def test_same_totals_in_page_csv_xlsx_and_pdf(tenant_client, users, ledger):
    tenant_client.force_login(users[Role.MANAGER])
    page = get(tenant_client, "stock-levels").content.decode()
    assert "<tfoot>" in page and "75.00" in page and "Total" in page
    csv_rows = list(
        csv.reader(
            io.StringIO(
                get(tenant_client, "stock-levels", format="csv").getvalue().decode("utf-8-sig")
            )
        )
    )
    assert csv_rows[-1][0] == "Total" and csv_rows[-1][-1] == "75.00" and csv_rows[-1][4] == "20"
    xlsx = get(tenant_client, "stock-levels", format="xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    last = [c.value for c in list(sheet.iter_rows())[-1]]
    assert last[0] == "Total" and last[-1] == pytest.approx(75.0) and last[4] == pytest.approx(20)
    assert sheet.freeze_panes == "A2" and sheet["I2"].number_format == "#,##0.00"
    pdf = get(tenant_client, "stock-levels", format="pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Stock levels by warehouse and location" in text and "Total" in text and "75.00" in text


def test_movements_in_a_period_with_filters(tenant_client, users, ledger):
    tenant_client.force_login(users[Role.CLERK])
    start = (timezone.localdate() - dt.timedelta(days=120)).isoformat()
    end = (timezone.localdate() - dt.timedelta(days=20)).isoformat()
    body = get(
        tenant_client, "movements", period="custom", date_from=start, date_to=end, format="csv"
    )
    rows = list(csv.reader(io.StringIO(body.getvalue().decode("utf-8-sig"))))[1:]
    assert [r[6] for r in rows[:-1]] == ["-5", "10"]  # newest first: the shipment, then the receipt
    assert rows[-1][0] == "Total" and rows[-1][8] == "25.00"  # -15 + 40
    only = get(
        tenant_client,
        "movements",
        period="custom",
        date_from=start,
        date_to=end,
        kind="receipt",
        format="csv",
    )
    assert len(list(csv.reader(io.StringIO(only.getvalue().decode("utf-8-sig"))))) == 3


def test_bad_parameters_say_what_is_wrong_without_a_500(tenant_client, users):
    tenant_client.force_login(users[Role.VIEWER])
    response = get(tenant_client, "movements", period="custom", date_from="2026-05-01")
    assert (
        response.status_code == 400 and "needs both a start and an end" in response.content.decode()
    )
    assert (
        get(
            tenant_client,
            "movements",
            period="custom",
            date_from="2026-05-02",
            date_to="2026-05-01",
        ).status_code
        == 400
    )
    assert (
        get(tenant_client, "movements", date_from="not a date", period="custom").status_code == 400
    )
    assert tenant_client.get("/reports/no-such-report/").status_code == 404


def test_viewer_sees_reports_but_cannot_export(tenant_client, users, ledger):
    tenant_client.force_login(users[Role.VIEWER])
    assert get(tenant_client, "stock-levels").status_code == 200
    assert get(tenant_client, "stock-levels", format="csv").status_code == 403
    index = tenant_client.get("/reports/").content.decode()
    assert "Stock aging" in index and "Stock valuation as of a date" in index


def test_presets():
    today = dt.date(2026, 11, 25)  # a Wednesday
    assert preset_range("this_week", today) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert preset_range("last_month", today) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert preset_range("this_quarter", today) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert preset_range("last_quarter", today) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert preset_range("last_year", today) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert preset_range("last_quarter", dt.date(2026, 2, 1)) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )


def test_report_page_query_count_does_not_grow(
    tenant, tenant_client, users, ledger, django_assert_max_num_queries
):
    tenant_client.force_login(users[Role.MANAGER])
    with django_assert_max_num_queries(20) as one:
        assert get(tenant_client, "stock-levels").status_code == 200
    with schema_context(tenant.schema_name):
        product = Product.objects.create(name="Many")
        lines = [
            MoveLine(
                Variant.objects.create(product=product, sku=f"M-{i}").pk,
                ledger["bin"].pk,
                D(1),
                D(1),
            )
            for i in range(40)
        ]
        stock_moves_post(lines=lines, kind="receipt")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert "M-39" in get(tenant_client, "stock-levels", sort="-sku").content.decode()
