import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from apps.accounts.models import Role
from apps.catalog.services import supplier_create
from apps.importexport.models import ImportBatch
from apps.inventory.services import MoveLine, stock_moves_post
from tests.importexport.conftest import table_counts


def _download(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _reimport(client, tenant, kind: str, content: bytes, name: str) -> ImportBatch:
    response = client.post(f"/data/import/{kind}/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:1500]
    with schema_context(tenant.schema_name):
        return ImportBatch.objects.latest("pk")


@pytest.fixture
def stocked(tenant, catalog, places):
    with schema_context(tenant.schema_name):
        supplier_create(
            name="=HYPERLINK(evil)", phone="+1 555 0100", address="1 Dock Rd\nSpringfield"
        )
        variants = {v.sku: v for v in catalog["product"].variants.all()}
        stock_moves_post(
            lines=[
                MoveLine(variants["SHOE-M"].pk, places["bin"].pk, Decimal("2.5")),
                MoveLine(variants["SHOE-L"].pk, places["bin"].pk, Decimal("7")),
            ],
            kind="opening",
        )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("export", "kind"),
    [("products", "products"), ("suppliers", "suppliers"), ("stock-levels", "opening_stock")],
)
def test_export_then_import_changes_nothing(
    tenant_client, tenant, users, stocked, fmt, export, kind
):
    tenant_client.force_login(users[Role.OWNER])
    content = _download(tenant_client.get(f"/data/export/{export}.{fmt}"))
    with schema_context(tenant.schema_name):
        before = table_counts()
    batch = _reimport(tenant_client, tenant, kind, content, f"export.{fmt}")
    with schema_context(tenant.schema_name):
        problems = [
            (r.number, r.action, r.changes, r.errors)
            for r in batch.rows.exclude(action="unchanged")
        ]
        assert table_counts() == before
    assert problems == []
    assert batch.unchanged_count == batch.row_count > 0
    assert not batch.can_confirm


def test_exports_stream_and_keep_formulas_inert(tenant_client, tenant, users, stocked):
    tenant_client.force_login(users[Role.VIEWER])
    response = tenant_client.get("/data/export/suppliers.csv")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    text = _download(response).decode("utf-8-sig")
    assert "'=HYPERLINK(evil)" in text and "'+1 555 0100" in text
    response = tenant_client.get("/data/export/suppliers.xlsx")
    assert response.streaming and "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(_download(response))).active
    cells = {c.value: c.data_type for row in sheet.iter_rows() for c in row if c.value}
    assert cells["=HYPERLINK(evil)"] == "s"


def test_stock_levels_export_uses_the_stock_page_filters(tenant_client, tenant, users, stocked):
    tenant_client.force_login(users[Role.CLERK])
    text = _download(tenant_client.get("/data/export/stock-levels.csv", {"q": "shoe-l"}))
    lines = text.decode("utf-8-sig").splitlines()
    assert lines[0] == "sku,product,warehouse,location,on_hand,reserved,available"
    assert lines[1:] == ["SHOE-L,Trail shoe,MAIN,A-01,7.000,0.000,7.000"]


def test_templates_download_with_every_column(tenant_client, users):
    tenant_client.force_login(users[Role.MANAGER])
    text = _download(tenant_client.get("/data/import/adjustments/template.csv")).decode("utf-8-sig")
    assert text.splitlines()[0] == "sku,warehouse,location,quantity,reason,note,unit_cost"
    sheet = load_workbook(
        io.BytesIO(_download(tenant_client.get("/data/import/products/template.xlsx")))
    ).active
    assert [c.value for c in next(sheet.iter_rows())][:3] == ["product", "sku", "options"]
    assert tenant_client.get("/data/import/products/template.pdf").status_code == 404
    assert tenant_client.get("/data/export/products.pdf").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_demo_company_round_trips_unchanged(tenant_client, tenant, users, fmt):
    """The ~160-variant demo catalog with its stock history: every export imports back as
    "no change"."""
    import json

    from django.conf import settings

    from apps.core.demo_catalog import seed_catalog

    spec = json.loads((settings.BASE_DIR / "fixtures/demo_companies.json").read_text())
    company = spec["companies"][0]
    with schema_context(tenant.schema_name):
        assert seed_catalog(company["catalog"], slug=company["slug"], weeks=2) > 100
    tenant_client.force_login(users[Role.OWNER])
    for export, kind in (
        ("products", "products"),
        ("suppliers", "suppliers"),
        ("stock-levels", "opening_stock"),
    ):
        content = _download(tenant_client.get(f"/data/export/{export}.{fmt}"))
        batch = _reimport(tenant_client, tenant, kind, content, f"{export}.{fmt}")
        with schema_context(tenant.schema_name):
            changed = list(
                batch.rows.exclude(action="unchanged").values("number", "changes", "errors")[:3]
            )
        assert changed == [], export
        assert batch.unchanged_count == batch.row_count > 0


@pytest.mark.parametrize("variants", [1, 40])
def test_products_export_is_a_fixed_number_of_queries(
    tenant_client, tenant, users, variants, django_assert_max_num_queries
):
    from apps.catalog.services import product_create

    with schema_context(tenant.schema_name):
        supplier = supplier_create(name="Acme")
        for i in range(variants):
            product = product_create(name=f"Thing {i}", sku=f"T-{i}")
            product.variants.get().supplier_items.create(supplier=supplier, supplier_sku=f"A{i}")
    tenant_client.force_login(users[Role.OWNER])
    response = tenant_client.get("/data/export/products.csv")
    with django_assert_max_num_queries(5):
        lines = _download(response).decode("utf-8-sig").splitlines()
    assert len(lines) == variants + 1


def test_products_export_takes_the_products_page_filters(tenant_client, tenant, users, catalog):
    from apps.catalog.services import product_create

    with schema_context(tenant.schema_name):
        product_create(name="Desk lamp", sku="LAMP-1")
    tenant_client.force_login(users[Role.VIEWER])
    everything = _download(tenant_client.get("/data/export/products.csv")).decode("utf-8-sig")
    assert len(everything.splitlines()) == 4
    lamps = _download(tenant_client.get("/data/export/products.csv", {"q": "lamp"}))
    lines = lamps.decode("utf-8-sig").splitlines()
    assert [line.split(",")[1] for line in lines[1:]] == ["LAMP-1"]
    shoes = _download(
        tenant_client.get(
            "/data/export/products.xlsx", {"category": catalog["category"].pk, "status": "active"}
        )
    )
    sheet = load_workbook(io.BytesIO(shoes)).active
    assert sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True)) == [
        "SHOE-L",
        "SHOE-M",
    ]
