"""The sales issue's flow in a browser: a clerk takes an order for a customer, confirms it
(stock reserved), prints the pick list, ships it with a tracking number, and sees stock go
down and the order's timeline."""

from decimal import Decimal

from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.tenants.models import Tenant
from apps.tenants.services.lifecycle import tenant_delete_now
from apps.tenants.services.provisioning import tenant_provision

PASSWORD = "a-long-passphrase-9"


def _setup(tenant):
    from apps.accounts.models import Role, User
    from apps.catalog.services import product_create
    from apps.inventory.models import StockMove
    from apps.inventory.services import MoveLine, stock_moves_post
    from apps.inventory.warehousing import location_create, warehouse_create
    from apps.sales.models import Customer

    with schema_context(tenant.schema_name):
        User.objects.create_user(email="clerk@sell.test", password=PASSWORD, role=Role.CLERK)
        warehouse = warehouse_create(code="MAIN", name="Main")
        shelf = location_create(warehouse=warehouse, code="A-01")
        variant = product_create(
            name="Desk lamp", sku="LAMP-1", barcode="4006381333931", sale_price=Decimal("25.00")
        ).variants.get()
        stock_moves_post(
            lines=[MoveLine(variant.pk, shelf.pk, Decimal(10), Decimal(5))],
            kind=StockMove.Kind.RECEIPT,
        )
        Customer.objects.create(name="Ada Shop", email="ada@shop.test")
        return variant


def _login(page, site, email):
    page.goto(site + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")


def test_order_confirm_pick_list_ship_with_tracking(live_stack, page, committed):
    for stale in Tenant.objects.filter(slug="sellflow"):
        tenant_delete_now(tenant=stale)
    tenant = tenant_provision(
        name="Sell Flow", subdomain="sellflow", owner_email="own@sell.test", owner_password=PASSWORD
    )
    site = live_stack["company"]("sellflow")
    try:
        variant = _setup(tenant)
        _login(page, site, "clerk@sell.test")

        page.goto(site + "/sales/")
        page.get_by_role("link", name="New order").first.click()
        page.locator("#id_customer").select_option(label="Ada Shop")
        page.get_by_label("Find a product by name, SKU or barcode").fill("lamp")
        expect(page.locator("#variant-results")).to_contain_text("10 available")
        page.locator("#id_lines-0-code").fill("4006381333931")  # scanned
        page.locator("#id_lines-0-quantity").fill("3")
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
        number = page.get_by_role("heading", level=1).inner_text().split()[0]

        page.get_by_role("button", name="Confirm and reserve stock").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Confirmed")

        page.get_by_role("button", name="Pick list").click()
        expect(page.get_by_role("heading", name="Bin A-01")).to_be_visible()
        # The printable pick list, fetched by the page itself (same session, same host).
        status, kind, magic = page.evaluate(
            """async (url) => {
                const r = await fetch(url);
                const bytes = new Uint8Array(await r.arrayBuffer());
                return [r.status, r.headers.get("content-type"), String.fromCharCode(...bytes.slice(0, 4))];
            }""",
            page.get_by_role("link", name="Print (PDF)").get_attribute("href"),
        )
        assert (status, kind, magic) == (200, "application/pdf", "%PDF")

        page.get_by_role("link", name=number).click()
        page.get_by_role("link", name="Ship", exact=True).click()
        page.get_by_label("Carrier").select_option(label="UPS")
        page.get_by_label("Tracking number").fill("1Z999AA10123456784")
        page.get_by_role("button", name="Ship", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Shipped")
        expect(page.get_by_role("link", name="1Z999AA10123456784")).to_have_attribute(
            "href", "https://www.ups.com/track?tracknum=1Z999AA10123456784"
        )
        timeline = page.locator("section", has=page.get_by_role("heading", name="Timeline"))
        for step in ("Created", "Confirmed", "Stock reserved", "Picking started", "Shipped"):
            expect(timeline).to_contain_text(step)
        expect(page.get_by_role("heading", name="Stock effects")).to_be_visible()

        # A 375-px phone: the order page, the pick list, the scan screen and the list fit.
        page.set_viewport_size({"width": 375, "height": 800})
        order_url = page.url
        pick_url = page.get_by_role("link", name="Pick list 1").get_attribute("href")
        for url in (order_url, site + pick_url, site + "/sales/", site + "/sales/orders/new/"):
            page.goto(url if url.startswith("http") else site + url)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, (url, width)
            page.screenshot(path=f"/tmp/sales-{len(url)}.png", full_page=True)

        with schema_context(tenant.schema_name):
            from apps.inventory.integrity import stock_differences
            from apps.inventory.models import StockLevel

            level = StockLevel.objects.get(variant=variant)
            assert (level.on_hand, level.reserved) == (Decimal(7), Decimal(0))
            assert stock_differences() == []
    finally:
        for t in Tenant.objects.filter(slug="sellflow"):
            tenant_delete_now(tenant=t)
