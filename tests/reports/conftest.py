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


@pytest.fixture
def manager_client(tenant_client, users):
    from apps.accounts.models import Role

    tenant_client.force_login(users[Role.MANAGER])
    return tenant_client


__all__ = ["D", "buying", "make_order"]
