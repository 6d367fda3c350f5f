import re

from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.models import Role, User
from apps.tenants.models import Tenant
from apps.tenants.services.lifecycle import tenant_delete_now
from apps.tenants.services.provisioning import tenant_provision


def test_product_with_two_variants_opening_stock_transfer_and_history(live_stack, page, committed):
    for stale in Tenant.objects.filter(slug="stockflow"):
        tenant_delete_now(tenant=stale)
    tenant = tenant_provision(
        name="Stock Flow",
        subdomain="stockflow",
        owner_email="own@flow.test",
        owner_password="a-long-passphrase-9",
    )
    site = live_stack["company"]("stockflow")
    try:
        page.goto(site + "/accounts/login/")
        page.get_by_label("Email").fill("own@flow.test")
        page.get_by_label("Password").fill("a-long-passphrase-9")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")

        # Two warehouses.
        for code, name in (("EAST", "East"), ("MAIN", "Main")):  # ends on MAIN's page
            page.goto(site + "/inventory/warehouses/")
            page.get_by_label("Code").fill(code)
            page.get_by_label("Name").fill(name)
            page.get_by_role("button", name="Create warehouse").click()
            expect(page.locator("#toasts")).to_contain_text(f"Warehouse {code} created")
        page.get_by_label("Code").fill("A-01")
        page.get_by_role("button", name="Add location").click()
        expect(page.get_by_role("cell", name="A-01", exact=True)).to_be_visible()

        # A product with two variants.
        page.goto(site + "/products/new/")
        page.locator("#id_name").fill("Rain jacket")
        page.get_by_label("SKU").fill("JACKET-M")
        page.get_by_role("button", name="Create product").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Rain jacket")
        page.get_by_label("SKU").fill("JACKET-L")
        page.get_by_label("Options").fill("size=L")
        page.get_by_role("button", name="Add variant").click()
        expect(page.get_by_role("cell", name="JACKET-L")).to_be_visible()

        # Opening stock by adjustment, scanning the SKU.
        page.goto(site + "/inventory/adjust/")
        page.get_by_label("Scan or type a barcode or SKU").fill("JACKET-M")
        page.get_by_label("Location").select_option(label="MAIN/A-01")
        page.get_by_label("Quantity").fill("12")
        page.get_by_label("Reason").select_option("found")
        page.get_by_role("button", name="Record adjustment").click()
        expect(page.locator("#toasts")).to_contain_text("JACKET-M")

        # Transfer five to East, ship and receive.
        page.goto(site + "/inventory/transfers/new/")
        page.get_by_label("Take from").select_option(label="MAIN/A-01")
        page.get_by_label("Send to warehouse").select_option(label="EAST · East")
        page.get_by_label("Lines").fill("JACKET-M 5")
        page.get_by_role("button", name="Save draft").click()
        page.get_by_role("button", name=re.compile("Ship")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("In transit")
        page.get_by_role("button", name="Receive").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Received")

        # The history shows every move with the running balance.
        page.goto(site + "/inventory/history/?code=JACKET-M")
        rows = page.locator("#history-table tbody tr")
        expect(rows).to_have_count(
            5
        )  # adjustment, out of MAIN, into transit, out of transit, into EAST receiving
        expect(rows.first).to_contain_text("Transfer in")
        page.goto(site + "/inventory/?q=JACKET-M")
        expect(page.get_by_role("cell", name="MAIN/A-01")).to_be_visible()
        with schema_context(tenant.schema_name):
            assert User.objects.get(email="own@flow.test").role == Role.OWNER
            from apps.inventory.integrity import stock_differences
            from apps.inventory.models import StockLevel

            assert stock_differences() == []
            assert sorted(
                StockLevel.objects.filter(on_hand__gt=0).values_list(
                    "location__warehouse__code", "on_hand"
                )
            ) == [("EAST", 5), ("MAIN", 7)]
    finally:
        for t in Tenant.objects.filter(slug="stockflow"):
            tenant_delete_now(tenant=t)
