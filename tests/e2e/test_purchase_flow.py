"""The purchasing issue's flow in a browser: a reorder suggestion becomes a draft PO, a
manager approves it, it is received partially by scanning, and stock and average cost move."""

from decimal import Decimal

from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.tenants.models import Tenant
from apps.tenants.services.lifecycle import tenant_delete_now
from apps.tenants.services.provisioning import tenant_provision

PASSWORD = "a-long-passphrase-9"


def _setup(tenant):
    from apps.accounts.models import Role, User
    from apps.catalog.models import SupplierItem, Variant
    from apps.catalog.services import product_create, supplier_create
    from apps.inventory.models import StockMove
    from apps.inventory.services import MoveLine, stock_moves_post
    from apps.inventory.warehousing import location_create, warehouse_create

    with schema_context(tenant.schema_name):
        for role in (Role.CLERK, Role.MANAGER):
            User.objects.create_user(email=f"{role}@buy.test", password=PASSWORD, role=role)
        warehouse = warehouse_create(code="MAIN", name="Main")
        shelf = location_create(warehouse=warehouse, code="A-01")
        variant = product_create(
            name="Desk lamp", sku="LAMP-1", barcode="4006381333931"
        ).variants.get()
        Variant.objects.filter(pk=variant.pk).update(
            reorder_point=Decimal(10), reorder_quantity=Decimal(200)
        )
        supplier = supplier_create(name="Lumen Ltd", email="orders@lumen.test")
        SupplierItem.objects.create(
            supplier=supplier,
            variant=variant,
            supplier_sku="LU-1",
            cost=Decimal(8),
            is_preferred=True,
        )
        stock_moves_post(
            lines=[MoveLine(variant.pk, shelf.pk, Decimal(4), Decimal(5))],
            kind=StockMove.Kind.RECEIPT,
        )
        return variant


def _login(page, site, email):
    page.goto(site + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")


def test_suggestion_to_draft_approval_and_partial_receipt_by_scanning(
    live_stack, browser, page, committed
):
    for stale in Tenant.objects.filter(slug="buyflow"):
        tenant_delete_now(tenant=stale)
    tenant = tenant_provision(
        name="Buy Flow", subdomain="buyflow", owner_email="own@buy.test", owner_password=PASSWORD
    )
    site = live_stack["company"]("buyflow")
    manager_context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        variant = _setup(tenant)

        # The clerk turns the suggestion into a draft and submits it (200 × 8 needs approval).
        _login(page, site, "clerk@buy.test")
        page.goto(site + "/purchasing/suggestions/")
        expect(page.get_by_role("heading", name="Lumen Ltd")).to_be_visible()
        expect(page.get_by_label("Quantity of LAMP-1")).to_have_value("200")
        page.get_by_role("button", name="Create draft purchase orders").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
        number = page.get_by_role("heading", level=1).inner_text().split()[0]
        page.get_by_role("button", name="Submit for approval").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Awaiting approval")
        expect(page.get_by_role("button", name="Approve")).to_have_count(0)

        # The manager sees it waiting and approves it.
        manager = manager_context.new_page()
        manager.set_default_timeout(20_000)
        _login(manager, site, "manager@buy.test")
        manager.goto(site + "/purchasing/")
        expect(
            manager.get_by_role("status").filter(has_text="waiting for your approval")
        ).to_be_visible()
        manager.get_by_role("link", name=number).click()
        manager.get_by_label("Comment").fill("Fine for the season")
        manager.get_by_role("button", name="Approve").click()
        expect(manager.get_by_role("heading", level=1)).to_contain_text("Approved")

        # The clerk receives two lamps by scanning the barcode twice.
        page.reload()
        page.get_by_role("link", name="Receive").click()
        scan = page.get_by_label("Scan or type a barcode, SKU or supplier SKU")
        scan.fill("4006381333931")
        scan.press("Enter")
        expect(page.locator("#receive-status")).to_contain_text("LAMP-1: 1 scanned")
        scan = page.get_by_label("Scan or type a barcode, SKU or supplier SKU")
        scan.fill("4006381333931")
        scan.press("Enter")
        expect(page.locator("#receive-status")).to_contain_text("LAMP-1: 2 scanned of 200")
        page.get_by_role("button", name="Record receipt").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Partially received")
        # (4 × 5 + 2 × 8) / 6 = 6
        expect(page.locator('[data-average-cost="LAMP-1"]')).to_have_text("6")

        page.goto(site + "/inventory/?q=LAMP-1")
        expect(page.get_by_role("cell", name="MAIN/RECEIVING")).to_be_visible()
        with schema_context(tenant.schema_name):
            from apps.inventory.integrity import stock_differences
            from apps.inventory.models import StockLevel, VariantCost

            assert stock_differences() == []
            assert (
                sum(StockLevel.objects.filter(variant=variant).values_list("on_hand", flat=True))
                == 6
            )
            assert VariantCost.objects.get(variant=variant).average_cost == Decimal(6)
    finally:
        manager_context.close()
        for t in Tenant.objects.filter(slug="buyflow"):
            tenant_delete_now(tenant=t)
