"""Browser test of the product list on a phone: typing in search swaps the table without a
page reload, the scan box opens the scanned variant, a bulk action asks before it runs.
(Here rather than in tests/catalog: it shares this folder's live server and Chromium, and a
second Playwright can't start in the same process.)"""

import re
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.tenants.models import Tenant
from apps.tenants.services.lifecycle import tenant_delete_now
from apps.tenants.services.provisioning import tenant_provision

pytestmark = pytest.mark.e2e


def test_search_scan_and_bulk_price_change_on_a_phone(live_stack, browser, committed):
    for stale in Tenant.objects.filter(slug="catflow"):
        tenant_delete_now(tenant=stale)
    tenant = tenant_provision(
        name="Catalog Flow",
        subdomain="catflow",
        owner_email="own@cat.test",
        owner_password="a-long-passphrase-9",
    )
    with schema_context(tenant.schema_name):
        from apps.catalog.models import Variant
        from apps.catalog.services import product_create

        product_create(name="Trail runner", sku="RUN-1", sale_price=Decimal("10.00"))
        product_create(name="Beach sandal", sku="SAN-1", barcode="4006381333931")
    site = live_stack["company"]("catflow")
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(site + "/accounts/login/")
        page.get_by_label("Email").fill("own@cat.test")
        page.get_by_label("Password").fill("a-long-passphrase-9")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")

        page.goto(site + "/products/")
        page.evaluate("window.__same_page = true")
        page.get_by_label("Search products, SKUs, barcodes, supplier SKUs").fill("runner")
        table = page.locator("#product-table")
        expect(table).not_to_contain_text("Beach sandal")
        expect(table).to_contain_text("Trail runner")
        assert page.evaluate("window.__same_page === true")  # HTMX swapped, no reload
        assert page.locator("#product-table").count() == 1  # outerHTML: no nested ids
        expect(page).to_have_url(re.compile(r"/products/\?q=runner&"))  # filters in the URL
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        page.get_by_label("Choose every product on this page").check()
        expect(page.get_by_label("Choose Trail runner")).to_be_checked()
        page.get_by_label("Choose every product on this page").uncheck()
        expect(page.get_by_label("Choose Trail runner")).not_to_be_checked()
        page.get_by_label("Choose Trail runner").check()
        page.get_by_text("With the chosen products").click()  # opens the bulk panel
        page.get_by_label("Action", exact=True).select_option("prices")
        page.get_by_label("Change % (for prices)").fill("10")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Apply").click()
        expect(page.locator(".toast-body")).to_contain_text("Selling price changed on 1 variant")
        with schema_context(tenant.schema_name):
            assert Variant.objects.get(sku="RUN-1").sale_price == Decimal("11.00")

        page.evaluate("window.__same_page = true")
        page.get_by_label("Status", exact=True).select_option("archived")  # a filter select
        expect(page.locator("#product-table")).to_contain_text("No product matches these filters")
        assert page.evaluate("window.__same_page === true")
        expect(page).to_have_url(re.compile(r"status=archived"))

        scan = page.get_by_label("Scan or type a barcode / SKU, then Enter")
        scan.fill("4006381333931")
        scan.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Beach sandal")
        with schema_context(tenant.schema_name):
            sandal = Variant.objects.get(sku="SAN-1")
        assert page.url.endswith(f"/products/{sandal.product_id}/#variant-{sandal.pk}")
    finally:
        context.close()
        for t in Tenant.objects.filter(slug="catflow"):
            tenant_delete_now(tenant=t)
