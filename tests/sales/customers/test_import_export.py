"""Customer CSV/XLSX import (preview, then confirm through the customer services) and
export (the list's filters apply, so a segment exports on its own)."""

from __future__ import annotations

import csv
import io

from django_tenants.utils import schema_context
from openpyxl import load_workbook

from apps.accounts.models import Role
from apps.importexport.models import ImportBatch
from apps.sales.customers.tiers import price_tier_save
from apps.sales.models import Customer
from tests.importexport.conftest import upload, xlsx_bytes
from tests.sales.customers.conftest import customer_make

CSV = """Name,Email,Kind,Phone,Tax ID,Price tier,Currency,Tags,Marketing consent,Active
Acme Retail,BUYER@acme.test,company,+1 555 0100,US1,Trade,usd,"wholesale, vip",yes,yes
Ann Person,ann@example.test,person,,,,EUR,,no,no
Cog GmbH,,company,,,,,,,
"""


def _batch(tenant, response) -> ImportBatch:
    assert response.status_code == 302, response.content.decode()[:2000]
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    with schema_context(tenant.schema_name):
        return ImportBatch.objects.get(pk=pk)


def test_preview_then_confirm_creates_and_updates(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.CLERK])
    with schema_context(tenant.schema_name):
        trade = price_tier_save(name="Trade", discount_percent="10")
    existing = customer_make(tenant, "Acme", email="buyer@acme.test", currency="USD")
    customer_make(tenant, "Cog GmbH")  # matched by name: the row has no email
    batch = _batch(tenant, upload(tenant_client, "customers", CSV.encode()))
    with schema_context(tenant.schema_name):
        assert Customer.objects.count() == 2  # the preview writes nothing
        rows = {r.number: r for r in batch.rows.all()}
    assert batch.status == "ready", batch.message
    assert (batch.create_count, batch.update_count, batch.error_count) == (1, 1, 0)
    assert rows[2].action == "update"
    assert ["name", "Acme", "Acme Retail"] in rows[2].changes
    assert rows[4].action == "unchanged"
    response = tenant_client.post(f"/data/imports/{batch.pk}/confirm/")
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        batch.refresh_from_db()
        assert batch.status == "done", batch.message
        acme = Customer.objects.get(pk=existing.pk)
        assert (acme.name, acme.price_tier, acme.tags, acme.phone) == (
            "Acme Retail",
            trade,
            ["wholesale", "vip"],
            "+1 555 0100",
        )
        assert acme.marketing_consent and acme.marketing_consent_at
        ann = Customer.objects.get(email="ann@example.test")
        assert (ann.kind, ann.currency, ann.is_active) == ("person", "EUR", False)


def test_name_match_only_fills_in_a_missing_email(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.MANAGER])
    no_email = customer_make(tenant, "Sam Lee", kind="person")
    customer_make(tenant, "Pat Kim", email="pat@old.test")
    content = b"name,email\nSam Lee,sam@new.test\nPat Kim,pat@new.test\n"
    batch = _batch(tenant, upload(tenant_client, "customers", content))
    with schema_context(tenant.schema_name):
        actions = {r.key: r.action for r in batch.rows.all()}
    # Sam had no email: the row is about him. Pat has another email: a different Pat.
    assert actions == {"Sam Lee": "update", "pat@new.test": "create"}
    tenant_client.post(f"/data/imports/{batch.pk}/confirm/")
    with schema_context(tenant.schema_name):
        assert Customer.objects.get(pk=no_email.pk).email == "sam@new.test"
        assert Customer.objects.filter(name="Pat Kim").count() == 2


def test_preview_flags_a_new_row_with_a_known_phone_as_a_possible_duplicate(
    tenant_client, tenant, users
):
    tenant_client.force_login(users[Role.MANAGER])
    customer_make(tenant, "Acme Ltd", phone="+1 (555) 010-0200")
    content = b"name,email,phone\nAcme Limited,new@acme.test,15550100200\n"
    batch = _batch(tenant, upload(tenant_client, "customers", content))
    with schema_context(tenant.schema_name):
        row = batch.rows.get()
    assert row.action == "create"  # a warning, not an error: the user decides
    assert ["possible duplicate", "", "same phone as Acme Ltd"] in row.changes


def test_row_errors_name_the_row_column_and_problem(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.MANAGER])
    content = (
        b"name,email,kind,price_tier,currency\n"
        b"A,not-an-email,company,,\n"
        b"B,b@x.test,robot,,\n"
        b"C,c@x.test,,Platinum,\n"
        b"D,d@x.test,,,EURO\n"
        b"E,b@x.test,,,\n"
        b",,,,\n"
    )
    batch = _batch(tenant, upload(tenant_client, "customers", content))
    with schema_context(tenant.schema_name):
        errors = {r.number: r.errors for r in batch.rows.filter(action="error")}
    assert errors[2] == [{"column": "email", "message": "“not-an-email” is not an email address."}]
    assert errors[3][0]["column"] == "kind"
    assert "No price tier is called “Platinum”" in errors[4][0]["message"]
    assert errors[5][0]["column"] == "currency"
    assert "appears twice in the file (first on row 3)" in errors[6][0]["message"]
    assert batch.error_count >= 5
    # A file with errors cannot be confirmed: nothing is written.
    tenant_client.post(f"/data/imports/{batch.pk}/confirm/")
    with schema_context(tenant.schema_name):
        assert not Customer.objects.exists()


def test_xlsx_import(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.MANAGER])
    content = xlsx_bytes(["Customer", "E-mail", "Payment terms"], [["Xl Co", "xl@x.test", 45]])
    batch = _batch(tenant, upload(tenant_client, "customers", content, name="c.xlsx"))
    tenant_client.post(f"/data/imports/{batch.pk}/confirm/")
    with schema_context(tenant.schema_name):
        assert Customer.objects.get(email="xl@x.test").payment_terms_days == 45


def test_viewer_cannot_import(tenant_client, users):
    tenant_client.force_login(users[Role.VIEWER])
    assert upload(tenant_client, "customers", CSV.encode()).status_code == 403


def _csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_export_follows_the_list_filters_and_round_trips(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.CLERK])
    customer_make(tenant, "Acme", email="a@x.test", tags=["vip"], notes="=cmd")
    customer_make(tenant, "Bolt", email="b@x.test")
    archived = customer_make(tenant, "Old Co")
    with schema_context(tenant.schema_name):
        Customer.objects.filter(pk=archived.pk).update(is_active=False)
    everything = _csv_rows(tenant_client.get("/data/export/customers.csv"))
    assert [r["name"] for r in everything] == ["Acme", "Bolt", "Old Co"]
    assert everything[0]["segment"] == "No orders"
    assert everything[0]["notes"] == "'=cmd"  # never a formula in a spreadsheet
    tagged = _csv_rows(tenant_client.get("/data/export/customers.csv?tag=VIP&active=active"))
    assert [r["name"] for r in tagged] == ["Acme"]
    segment = _csv_rows(
        tenant_client.get("/data/export/customers.csv?segment=no_orders&active=active")
    )
    assert [r["name"] for r in segment] == ["Acme", "Bolt"]
    # The list's export links carry its filters.
    page = tenant_client.get("/sales/customers/?tag=vip").content.decode()
    assert "/data/export/customers.csv?tag=vip&amp;active=active" in page
    # ... also when the filters change through HTMX (the links are in the swapped table).
    partial = tenant_client.get(
        "/sales/customers/?q=bolt", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="customer-table"
    ).content.decode()
    assert "/data/export/customers.csv?q=bolt&amp;active=active" in partial
    assert "Export the 1 matching customer:" in partial
    # The exported file imports back without changes.
    text = b"".join(tenant_client.get("/data/export/customers.csv").streaming_content)
    tenant_client.force_login(users[Role.MANAGER])
    batch = _batch(tenant, upload(tenant_client, "customers", text))
    assert (batch.create_count, batch.update_count, batch.error_count) == (0, 0, 0), [
        (r.number, r.changes, r.errors) for r in batch.rows.all()
    ]


def test_export_xlsx(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.OWNER])
    customer_make(tenant, "Acme", email="a@x.test")
    response = tenant_client.get("/data/export/customers.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("name", "email")
    assert rows[1][:2] == ("Acme", "a@x.test")


def test_viewer_cannot_export_customers(tenant_client, users):
    tenant_client.force_login(users[Role.VIEWER])
    assert tenant_client.get("/data/export/customers.csv").status_code == 403
