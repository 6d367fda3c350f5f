from decimal import Decimal

from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.tenants.models import Tenant
from apps.tenants.services.lifecycle import tenant_delete_now
from apps.tenants.services.provisioning import tenant_provision


def test_blind_count_on_a_phone_scanned_with_the_keyboard_then_posted(
    live_stack, browser, committed
):
    for stale in Tenant.objects.filter(slug="countflow"):
        tenant_delete_now(tenant=stale)
    tenant = tenant_provision(
        name="Count Flow",
        subdomain="countflow",
        owner_email="own@count.test",
        owner_password="a-long-passphrase-9",
    )
    with schema_context(tenant.schema_name):
        from apps.catalog.services import product_create
        from apps.inventory.services import MoveLine, stock_moves_post
        from apps.inventory.warehousing import location_create, warehouse_create

        bin_ = location_create(warehouse=warehouse_create(code="MAIN", name="Main"), code="A-01")
        lamp = product_create(name="Lamp", sku="LAMP-1", barcode="4006381333931").variants.get()
        stock_moves_post(lines=[MoveLine(lamp.pk, bin_.pk, Decimal(5), Decimal(2))], kind="receipt")
    site = live_stack["company"]("countflow")
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(site + "/accounts/login/")
        page.get_by_label("Email").fill("own@count.test")
        page.get_by_label("Password").fill("a-long-passphrase-9")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")

        page.goto(site + "/inventory/counts/new/")
        page.get_by_label("Warehouse").select_option(label="MAIN · Main")
        page.get_by_label("Blind count").check()
        page.get_by_role("button", name="Open count").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Open")

        # A keyboard-wedge scanner types the code and presses Enter, three times.
        code = page.get_by_label("Barcode or SKU")
        for _ in range(3):
            code.fill("4006381333931")
            code.press("Enter")
            expect(page.locator("#scan-result")).to_contain_text("LAMP-1 at A-01")
            code = page.get_by_label("Barcode or SKU")
        expect(page.locator("#scan-result")).to_contain_text("3 counted")
        expect(page.get_by_label("Counted LAMP-1 at A-01")).to_have_value("3")
        code.fill("NOPE")
        code.press("Enter")
        expect(page.locator("#scan-result")).to_contain_text("No variant has the barcode or SKU")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        page.get_by_role("link", name="Review and post").click()
        expect(page.locator("#review-table")).to_contain_text("-4.00")  # 2 missing × 2.00
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Post count").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Posted")
        with schema_context(tenant.schema_name):
            from apps.inventory.integrity import stock_differences
            from apps.inventory.models import StockLevel

            assert StockLevel.objects.get(variant=lamp, location=bin_).on_hand == Decimal(3)
            assert stock_differences() == []
    finally:
        context.close()
        for t in Tenant.objects.filter(slug="countflow"):
            tenant_delete_now(tenant=t)
