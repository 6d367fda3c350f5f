"""GET /api/reports/{name}/?format=json|csv|xlsx|pdf."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context
from pypdf import PdfReader

from apps.accounts.models import Role
from apps.catalog.models import Product, Variant
from apps.inventory.models import Location, Warehouse
from apps.inventory.services import MoveLine, stock_moves_post
from tests.api.conftest import Api, key_for


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def stock(tenant):
    with schema_context(tenant.schema_name):
        bin_ = Location.objects.create(
            warehouse=Warehouse.objects.create(code="MAIN", name="Main"), code="A-01"
        )
        product = Product.objects.create(name="Thing")
        lines = [
            MoveLine(Variant.objects.create(product=product, sku=f"T-{i}").pk, bin_.pk, D(i + 1),
                     D(2))
            for i in range(3)
        ]  # fmt: skip
        stock_moves_post(lines=lines, kind="receipt")


def api(tenant, tenant_client, user, scopes=("reports:read",)):
    return Api(tenant_client, HTTP_AUTHORIZATION=f"Api-Key {key_for(tenant, user, list(scopes))}")


def test_json_rows_columns_and_totals(tenant, tenant_client, users, stock):
    client = api(tenant, tenant_client, users[Role.VIEWER])
    response = client.get("/api/reports/stock-levels/?sort=-sku&limit=2")
    assert response.status_code == 200
    body = response.json_body
    assert body["count"] == 3 and [r["sku"] for r in body["results"]] == ["T-2", "T-1"]
    assert D(body["results"][0]["value"]) == 6
    assert D(body["totals"]["value"]) == 12  # (1 + 2 + 3) × 2
    assert {"key": "on_hand", "label": "On hand", "kind": "qty"} in body["columns"]
    assert body["next"] and "offset=2" in body["next"]
    listing = client.get("/api/reports/").json_body["results"]
    assert {"name": "stock-levels", "group": "Inventory"}.items() <= next(
        r for r in listing if r["name"] == "stock-levels"
    ).items()


def test_files_match_the_page_downloads(tenant, tenant_client, users, stock):
    client = api(tenant, tenant_client, users[Role.CLERK])
    response = client.get("/api/reports/stock-levels/?format=csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert response.status_code == 200 and rows[-1][0] == "Total" and rows[-1][-1] == "12.00"
    xlsx = client.get("/api/reports/stock-levels/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.open")
    pdf = client.get("/api/reports/stock-levels/?format=pdf")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "12.00" in text and "Total" in text


def test_errors_are_clear_json(tenant, tenant_client, users, stock):
    viewer = api(tenant, tenant_client, users[Role.VIEWER])
    assert viewer.get("/api/reports/stock-levels/?format=csv").status_code == 403
    assert viewer.get("/api/reports/nope/").status_code == 404
    bad = viewer.get("/api/reports/movements/?period=custom&date_from=2026-05-01")
    assert bad.status_code == 400 and "start and an end" in bad.json_body["error"]["message"]
    wrong = viewer.get("/api/reports/stock-levels/?format=docx")
    assert wrong.status_code == 400 and "format" in wrong.json_body["error"]["fields"]
    other_scope = api(tenant, tenant_client, users[Role.OWNER], scopes=("inventory:read",))
    assert other_scope.get("/api/reports/stock-levels/").status_code == 403


def test_query_count_does_not_grow_with_rows(
    tenant, tenant_client, users, stock, django_assert_max_num_queries
):
    client = api(tenant, tenant_client, users[Role.MANAGER])
    with django_assert_max_num_queries(30) as few:
        assert client.get("/api/reports/stock-levels/").status_code == 200
    with schema_context(tenant.schema_name):
        bin_ = Location.objects.get(code="A-01")
        product = Product.objects.create(name="More")
        stock_moves_post(
            lines=[MoveLine(Variant.objects.create(product=product, sku=f"M-{i}").pk, bin_.pk,
                            D(1), D(1)) for i in range(30)],
            kind="receipt",
        )  # fmt: skip
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/reports/stock-levels/").json_body["count"] == 33
