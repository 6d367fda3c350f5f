"""Shared pieces of the accessibility browser tests: a company with one of everything,
sign-in, and running the vendored axe-core (tests only) on the current page."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.tenants.models import Tenant
from apps.tenants.services.lifecycle import tenant_delete_now
from apps.tenants.services.provisioning import tenant_provision

PASSWORD = "a-long-passphrase-9"
AXE_SOURCE = (Path(__file__).parent / "axe.min.js").read_text()
BLOCKING = ("serious", "critical")


def fresh_company(slug: str, owner_email: str) -> Tenant:
    for stale in Tenant.objects.filter(slug=slug):
        tenant_delete_now(tenant=stale)
    return tenant_provision(
        name=f"A11y {slug}", subdomain=slug, owner_email=owner_email, owner_password=PASSWORD
    )


def drop_company(slug: str) -> None:
    for tenant in Tenant.objects.filter(slug=slug):
        tenant_delete_now(tenant=tenant)


def seed_documents(tenant: Tenant, owner_email: str) -> dict:
    """A product in stock, a customer with a confirmed order and a pick list, an approved
    purchase order, a transfer-free count: enough for every main screen to show rows."""
    from apps.accounts.models import Role, User
    from apps.catalog.models import SupplierItem
    from apps.catalog.services import product_create, supplier_create
    from apps.inventory.counts import stock_count_create
    from apps.inventory.models import StockMove
    from apps.inventory.services import MoveLine, stock_moves_post
    from apps.inventory.warehousing import location_create, warehouse_create
    from apps.purchasing import services as purchasing
    from apps.sales import services as sales
    from apps.sales.models import Customer
    from apps.sales.picking import pick_lists_create

    with schema_context(tenant.schema_name):
        owner = User.objects.get(email=owner_email)
        User.objects.create_user(email="clerk@a11y.test", password=PASSWORD, role=Role.CLERK)
        warehouse = warehouse_create(code="MAIN", name="Main")
        shelf = location_create(warehouse=warehouse, code="A-01")
        product = product_create(
            name="Desk lamp", sku="LAMP-1", barcode="4006381333931", sale_price=Decimal("25.00")
        )
        variant = product.variants.get()
        stock_moves_post(
            lines=[MoveLine(variant.pk, shelf.pk, Decimal(10), Decimal(5))],
            kind=StockMove.Kind.RECEIPT,
        )
        supplier = supplier_create(name="Lumen Ltd", email="orders@lumen.test")
        SupplierItem.objects.create(
            supplier=supplier, variant=variant, supplier_sku="LU-1", cost=Decimal(8)
        )
        po = purchasing.purchase_order_create(
            supplier=supplier,
            warehouse=warehouse,
            lines=[purchasing.LineInput(variant_id=variant.pk, quantity=Decimal(20))],
            user=owner,
        )
        purchasing.purchase_order_submit(order=po, user=owner)
        po.refresh_from_db()
        if po.status != po.Status.APPROVED:
            purchasing.purchase_order_approve(order=po, user=owner)
        customer = Customer.objects.create(name="Ada Shop", email="ada@shop.test")
        order = sales.sales_order_create(
            customer=customer,
            lines=[sales.LineInput(variant_id=variant.pk, quantity=Decimal(2))],
            user=owner,
        )
        sales.sales_order_confirm(order=order, user=owner)
        pick_list = pick_lists_create(orders=[order], user=owner)[0]
        count = stock_count_create(warehouse=warehouse, user=owner)
        return {
            "product": product.pk,
            "po": po.pk,
            "order": order.pk,
            "pick_list": pick_list.pk,
            "count": count.pk,
            "customer": customer.pk,
        }


def login(page, site: str, email: str) -> None:
    page.goto(site + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")


def axe_violations(page, impacts=BLOCKING) -> list[dict]:
    """Run axe-core on the page; return the violations of the given impacts, summarised.
    The page's context must be made with ``bypass_csp=True``: our Content-Security-Policy
    (rightly) refuses the injected test script otherwise."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_SOURCE)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]
