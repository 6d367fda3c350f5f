"""Long reports print as a compact listing (one line a row), with the same values and
totals as the table layout; short ones keep the table."""

import io

import pytest
from pypdf import PdfReader

from apps.reports.base import Column
from apps.reports.renderers import compact
from apps.reports.renderers.compact import compact_lines

from .conftest import D, assert_same_totals, pdf_text

COLUMNS = [
    Column("sku", "SKU"),
    Column("product", "Product"),
    Column("quantity", "Quantity", "qty", total=True),
    Column("value", "Value", "money", total=True),
]


def test_lines_align_numbers_right_and_cut_long_text_to_fit_the_page():
    rows = [
        {"sku": "BOLT-1", "product": "Bolt", "quantity": D("1200"), "value": D("15000.5")},
        {"sku": "NUT-22", "product": "N" * 300, "quantity": D("3.5"), "value": D("7")},
    ]
    header, lines, total = compact_lines(
        COLUMNS, rows, {"quantity": D("1203.5"), "value": D("15007.5")}, landscape=False
    )
    assert all(len(line) <= compact.LINE_CHARS[False] for line in (header, *lines, total))
    assert header.startswith("SKU     Product")
    assert lines[0].startswith("BOLT-1  Bolt") and lines[0].endswith("1,200  15,000.50")
    assert lines[1].endswith("3.5       7.00") and "N…" in lines[1]  # cut, not wrapped
    assert total.startswith("Total") and total.endswith("1,203.5  15,007.50")
    # Landscape pages hold longer lines.
    wide = compact_lines(COLUMNS, rows, None, landscape=True)[1][1]
    assert len(wide) > len(lines[1])


def test_a_long_report_prints_compact_with_the_same_totals(
    tenant, tenant_client, users, buying, monkeypatch
):
    from django_tenants.utils import schema_context

    from apps.accounts.models import Role
    from apps.inventory.models import StockMove
    from apps.inventory.services import MoveLine, stock_moves_post

    with schema_context(tenant.schema_name):
        stock_moves_post(
            lines=[
                MoveLine(buying["bolt"].pk, buying["shelf"].pk, D(5), D("2.50")),
                MoveLine(buying["nut"].pk, buying["shelf"].pk, D(1200), D("0.25")),
            ],
            kind=StockMove.Kind.RECEIPT,
        )
    tenant_client.force_login(users[Role.MANAGER])
    table = pdf_text(tenant_client, "stock-levels")
    monkeypatch.setattr(compact, "COMPACT_ROWS", 1)  # two rows: long enough
    listing = pdf_text(tenant_client, "stock-levels")
    assert listing != table and "BOLT-1" in listing and "NUT-1" in listing
    assert "1,205" in listing and "312.50" in listing  # 5 + 1,200; 12.50 + 300.00
    assert_same_totals(tenant_client, "stock-levels")  # CSV, Excel, page and compact PDF


@pytest.mark.parametrize("slug", ["valuation-as-of", "movements"])  # portrait, landscape
def test_the_compact_pdf_fills_pages_with_a_header_each_and_keeps_page_numbers(in_tenant, slug):
    from apps.reports.base import Result
    from apps.reports.registry import report_get
    from apps.reports.renderers.files import pdf_bytes

    report = report_get(slug)
    rows = [
        {"sku": f"SKU-{i:04d}", "product": f"Widget {i}", "quantity": D(2), "value": D("3")}
        for i in range(compact.COMPACT_ROWS + 200)
    ]
    pdf = pdf_bytes(Result(report=report, params={}, _rows=rows), params_text="As of today")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    # Exactly the pages the lines were cut into: no page overflowed onto a page of its own.
    assert len(pages) == len(compact.compact_pages([""] * len(rows), landscape=report.landscape))
    assert all(text.count("SKU") >= 1 for text in pages)  # the header line on every page
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1] and "SKU-1199" in pages[-1]
    assert "Total" in pages[-1] and "3,600.00" in pages[-1]  # the totals line
