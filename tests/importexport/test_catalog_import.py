from decimal import Decimal

from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.models import Category, Product, Supplier, SupplierItem, Variant
from apps.importexport.models import ImportBatch
from tests.importexport.conftest import table_counts, upload, xlsx_bytes

PRODUCTS_CSV = """Product,SKU,Options,Category,Sale price,Cost price,Supplier,Supplier SKU,Supplier cost
Trail shoe,shoe-m,size=M,Footwear,65.00,20,Acme Wholesale,AC-1,18.5
Trail shoe,SHOE-XL,size=XL,Footwear,59.00,21,,,
Rain jacket,JACKET-S,size=S; colour=Blue,Outerwear > Jackets,120,40,Acme Wholesale,AC-9,38
Rain jacket,JACKET-M,size=M; colour=Blue,Outerwear > Jackets,120,40,,,
"""


def _batch(tenant, response) -> ImportBatch:
    assert response.status_code == 302, response.content.decode()[:2000]
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    with schema_context(tenant.schema_name):
        return ImportBatch.objects.get(pk=pk)


def test_preview_writes_nothing_and_shows_what_would_change(tenant_client, tenant, users, catalog):
    tenant_client.force_login(users[Role.MANAGER])
    with schema_context(tenant.schema_name):
        before = table_counts()
    batch = _batch(tenant, upload(tenant_client, "products", PRODUCTS_CSV.encode()))
    with schema_context(tenant.schema_name):
        assert table_counts() == before
        rows = {r.key: r for r in batch.rows.all()}
    assert batch.status == "ready"
    assert (batch.create_count, batch.update_count, batch.error_count) == (3, 1, 0)
    assert rows["SHOE-M"].action == "update"
    assert ["sale_price", "59", "65"] in rows["SHOE-M"].changes
    assert ["new category", "", "Outerwear > Jackets"] in rows["JACKET-S"].changes
    assert ["new product", "", "Rain jacket"] in rows["JACKET-S"].changes
    page = tenant_client.get(f"/data/imports/{batch.pk}/").content.decode()
    assert "Confirm import (3 new, 1 updated)" in page


def test_confirm_creates_and_updates_through_the_catalog(tenant_client, tenant, users, catalog):
    tenant_client.force_login(users[Role.MANAGER])
    batch = _batch(tenant, upload(tenant_client, "products", PRODUCTS_CSV.encode()))
    response = tenant_client.post(f"/data/imports/{batch.pk}/confirm/")
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        batch.refresh_from_db()
        assert batch.status == "done", batch.message
        assert Variant.objects.get(sku="SHOE-M").sale_price == Decimal("65.00")
        shoe = Product.objects.get(name="Trail shoe")
        assert sorted(shoe.variants.values_list("sku", flat=True)) == [
            "SHOE-L",
            "SHOE-M",
            "SHOE-XL",
        ]
        jacket = Product.objects.get(name="Rain jacket")
        assert jacket.variants.count() == 2
        assert jacket.category.name == "Jackets" and jacket.category.parent.name == "Outerwear"
        assert Variant.objects.get(sku="JACKET-S").options == {"size": "S", "colour": "Blue"}
        item = SupplierItem.objects.get(variant__sku="JACKET-S")
        assert (item.supplier.name, item.supplier_sku, item.cost, item.is_preferred) == (
            "Acme Wholesale",
            "AC-9",
            Decimal("38"),
            True,
        )
    # Confirming twice imports once.
    tenant_client.post(f"/data/imports/{batch.pk}/confirm/")
    with schema_context(tenant.schema_name):
        assert Variant.objects.filter(sku__startswith="JACKET").count() == 2


def test_per_row_errors_name_the_row_column_and_problem(tenant_client, tenant, users, catalog):
    tenant_client.force_login(users[Role.OWNER])
    content = (
        b"product,sku,sale_price,barcode,supplier\n"
        b"Lamp,LAMP-1,abc,,\n"  # row 2: not a number
        b"Lamp,LAMP-2,5,4006381333932,\n"  # row 3: bad check digit
        b"Lamp,LAMP-3,5,,Nobody Ltd\n"  # row 4: unknown supplier
        b"Lamp,LAMP-4,-1,,\n"  # row 5: negative price
        b"Lamp,LAMP-4,5,,\n"  # row 6: duplicate SKU in the file
        b"Lamp,LAMP-5,5,4006381333931,\n"  # row 7: barcode of SHOE-M
        b",NEW-1,5,,\n"  # row 8: new SKU without a product
    )
    batch = _batch(tenant, upload(tenant_client, "products", content))
    with schema_context(tenant.schema_name):
        errors = {r.number: r.errors for r in batch.rows.filter(action="error")}
    assert batch.status == "invalid" and not batch.can_confirm
    assert errors[2] == [
        {"column": "sale_price", "message": "“abc” is not a number. Write it like 12.50."}
    ]
    assert errors[3][0]["column"] == "barcode" and "check digit" in errors[3][0]["message"]
    assert errors[4] == [
        {
            "column": "supplier",
            "message": "No supplier is called “Nobody Ltd”. Import or add suppliers first.",
        }
    ]
    assert errors[5][0]["column"] == "sale_price" and "below 0" in errors[5][0]["message"]
    assert errors[6] == [
        {"column": "sku", "message": "SKU LAMP-4 appears twice in the file (first on row 5)."}
    ]
    assert "already belongs to SKU SHOE-M" in errors[7][0]["message"]
    assert errors[8][0]["column"] == "product"
    page = tenant_client.get(f"/data/imports/{batch.pk}/", {"action": "error"}).content.decode()
    assert "Confirm import" not in page
    assert "appears twice in the file (first on row 5)" in page
    # Confirm is refused: nothing is written.
    tenant_client.post(f"/data/imports/{batch.pk}/confirm/")
    with schema_context(tenant.schema_name):
        assert not Variant.objects.filter(sku__startswith="LAMP").exists()


def test_a_row_failing_at_confirm_rolls_back_every_row(tenant_client, tenant, users, catalog):
    """Rows 2 and 3 are written before row 4 fails in the database: all three are undone."""
    from django.db import connection

    tenant_client.force_login(users[Role.MANAGER])
    content = (
        b"product,sku,sale_price\nKettle,KETTLE-1,10\nKettle,KETTLE-2,12\nKettle,KETTLE-3,9999\n"
    )
    batch = _batch(tenant, upload(tenant_client, "products", content))
    assert batch.status == "ready"
    with schema_context(tenant.schema_name):
        before = table_counts()
        # A rule the preview does not know about, enforced by the database at write time.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred FK checks block ALTER
            cursor.execute(
                "ALTER TABLE catalog_variant ADD CONSTRAINT test_price_cap CHECK (sale_price < 1000)"
            )
    tenant_client.post(f"/data/imports/{batch.pk}/confirm/")
    with schema_context(tenant.schema_name):
        batch.refresh_from_db()
        assert table_counts() == before
        assert not Variant.objects.filter(sku__startswith="KETTLE").exists()
        assert batch.status == "failed"
        assert batch.message.startswith("Row 4 failed:") and "Nothing was imported" in batch.message
        assert batch.rows.get(number=4).action == "error"


def test_suppliers_import_creates_updates_and_checks(tenant_client, tenant, users, catalog):
    tenant_client.force_login(users[Role.MANAGER])
    content = xlsx_bytes(
        ["Name", "Email", "Currency", "Payment terms days", "Active"],
        [
            ["acme wholesale", "sales@acme.test", "eur", 45, "yes"],
            ["Globex", "buy@globex.test", "USD", 30, "no"],
            ["Initech", "not-an-email", "US", "soon", "maybe"],
        ],
    )
    batch = _batch(tenant, upload(tenant_client, "suppliers", content, "suppliers.xlsx"))
    with schema_context(tenant.schema_name):
        rows = {r.number: r for r in batch.rows.all()}
    assert batch.file_format == "xlsx"
    assert rows[2].action == "update" and ["currency", "USD", "EUR"] in rows[2].changes
    assert rows[3].action == "create"
    assert {e["column"] for e in rows[4].errors} == {
        "email",
        "currency",
        "payment_terms_days",
        "active",
    }
    assert batch.status == "invalid"


def test_valid_suppliers_file_is_imported(tenant_client, tenant, users, catalog):
    tenant_client.force_login(users[Role.MANAGER])
    content = (
        b"name,email,currency,active\nacme wholesale,sales@acme.test,eur,yes\nGlobex,,USD,no\n"
    )
    batch = _batch(tenant, upload(tenant_client, "suppliers", content))
    tenant_client.post(f"/data/imports/{batch.pk}/confirm/")
    with schema_context(tenant.schema_name):
        acme = Supplier.objects.get(name="Acme Wholesale")
        assert (acme.email, acme.currency) == ("sales@acme.test", "EUR")
        assert Supplier.objects.get(name="Globex").is_active is False
        assert Category.objects.count() == 1
