import csv
import io
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.purchasing.conftest import D, buying, make_order  # noqa: F401 - shared fixtures


def get(client, slug, **params):
    return client.get(f"/reports/{slug}/?{urlencode(params)}")


def csv_rows(client, slug, **params) -> list[list[str]]:
    response = get(client, slug, format="csv", **params)
    assert response.status_code == 200, response.content[:500]
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def xlsx_rows(client, slug, **params) -> list[list]:
    response = get(client, slug, format="xlsx", **params)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def pdf_text(client, slug, **params) -> str:
    response = get(client, slug, format="pdf", **params)
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def assert_same_totals(client, slug, **params) -> list[str]:
    """The totals row is the same in CSV, XLSX, the PDF's text and the page. Returns it."""
    from decimal import Decimal

    from apps.reports.registry import report_get
    from apps.reports.renderers.values import as_display

    columns = report_get(slug).columns
    total = csv_rows(client, slug, **params)[-1]
    assert total[0] == "Total"
    sheet_total = xlsx_rows(client, slug, **params)[-1]
    text = pdf_text(client, slug, **params)
    page = get(client, slug, **params).content.decode()
    footer = page[page.index("<tfoot>") : page.index("</tfoot>")]
    for column, value, cell in zip(columns[1:], total[1:], sheet_total[1:], strict=True):
        if value == "":
            assert cell is None, (slug, column.key)
            continue
        number = Decimal(value.rstrip("%"))
        # The sheet keeps full precision; its number format shows the same places as the CSV.
        places = {"percent": 0.05, "ratio": 0.005, "money": 0.005}.get(column.kind, 0.0005)
        assert cell == pytest.approx(float(number), abs=places), (slug, column.key)
        shown = as_display(number, column.kind)
        assert shown in text and shown in footer, (slug, column.key, shown)
    return total


@pytest.fixture
def manager_client(tenant_client, users):
    from apps.accounts.models import Role

    tenant_client.force_login(users[Role.MANAGER])
    return tenant_client


__all__ = ["D", "buying", "make_order"]
