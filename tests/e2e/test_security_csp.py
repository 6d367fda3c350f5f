"""In a real browser, under the Content-Security-Policy (docs/security.md): the main screens load
with no CSP violation and no script error, charts draw, and a data-confirm button asks first —
dismissing keeps the record, accepting deletes it."""

from __future__ import annotations

from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.tenants.models import Tenant
from apps.tenants.services.lifecycle import tenant_delete_now
from apps.tenants.services.provisioning import tenant_provision

PAGES = [
    "/",
    "/products/",
    "/products/categories/",
    "/inventory/",
    "/inventory/transfers/",
    "/sales/",
    "/sales/orders/new/",
    "/products/labels/",
    "/purchasing/",
    "/reports/",
    "/forecasting/",
    "/data/",
    "/team/",
    "/developers/webhooks/",
    "/settings/",
    "/api/docs/",
]


def test_screens_run_under_the_csp_and_confirmations_ask_first(live_stack, browser, committed):
    for stale in Tenant.objects.filter(slug="cspcheck"):
        tenant_delete_now(tenant=stale)
    tenant = tenant_provision(
        name="CSP Check",
        subdomain="cspcheck",
        owner_email="own@csp.test",
        owner_password="a-long-passphrase-9",
    )
    with schema_context(tenant.schema_name):
        from apps.catalog.services import category_create

        category = category_create(name="Doomed")
    site = live_stack["company"]("cspcheck")
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if "Content Security Policy" in msg.text
            or msg.type == "error"
            and "Refused" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: violations.append(f"page error: {exc}"))
    try:
        page.goto(site + "/accounts/login/")
        page.get_by_label("Email").fill("own@csp.test")
        page.get_by_label("Password").fill("a-long-passphrase-9")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        for path in PAGES:
            response = page.goto(site + path)
            assert response.status < 400, (path, response.status)
            assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
            page.wait_for_load_state("networkidle")
        assert violations == []

        page.goto(f"{site}/products/categories/{category.pk}/")
        page.once("dialog", lambda dialog: dialog.dismiss())
        page.get_by_role("button", name="Delete category").click()
        page.wait_for_timeout(300)
        with schema_context(tenant.schema_name):
            from apps.catalog.models import Category

            assert Category.objects.filter(pk=category.pk).exists()  # dismissed: nothing sent
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Delete category").click()
        page.wait_for_load_state("networkidle")
        with schema_context(tenant.schema_name):
            assert not Category.objects.filter(pk=category.pk).exists()
        assert violations == []
    finally:
        context.close()
        tenant_delete_now(tenant=Tenant.objects.get(slug="cspcheck"))
