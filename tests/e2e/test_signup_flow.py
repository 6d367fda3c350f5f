import re

from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.models import Role, User
from apps.tenants.models import Tenant
from apps.tenants.services.lifecycle import tenant_delete_now


def remove_echo() -> None:
    for tenant in Tenant.objects.filter(slug="echo-outfitters"):
        tenant_delete_now(tenant=tenant)


def test_sign_up_a_company_and_land_on_its_dashboard(live_stack, page, committed):
    remove_echo()  # left by an interrupted earlier run of a reused test database
    try:
        page.goto(live_stack["public"] + "/")
        page.get_by_role("link", name="Start your free trial").click()
        page.get_by_label("Company name").fill("Echo Outfitters")
        page.get_by_label("Your address").fill("alpha")
        expect(page.locator("#subdomain-status")).to_contain_text("already taken")
        page.get_by_label("Your address").fill("echo-outfitters")
        expect(page.locator("#subdomain-status")).to_contain_text("is available")
        page.get_by_label("Your name").fill("Erin Echo")
        page.get_by_label("Work email").fill("erin@echo.test")
        page.get_by_label("Password").fill("a-long-passphrase-9")
        page.get_by_label("I accept the terms").check()
        page.get_by_role("button", name="Create my company").click()

        page.wait_for_url(re.compile(r"^http://echo-outfitters\.localhost:\d+/$"), timeout=45_000)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you, Erin")
        expect(page.locator(".navbar-brand")).to_contain_text("Echo Outfitters")
        tenant = Tenant.objects.get(slug="echo-outfitters")
        assert tenant.status == Tenant.Status.ACTIVE
        with schema_context(tenant.schema_name):
            assert User.objects.get(email="erin@echo.test").role == Role.OWNER
    finally:
        remove_echo()


def test_owner_signs_in_on_their_subdomain_and_sees_the_shell(live_stack, page, committed):
    tenant = Tenant.objects.get(slug="alpha")
    with schema_context(tenant.schema_name):
        User.objects.filter(email="e2e-owner@alpha.test").delete()
        User.objects.create_user(
            email="e2e-owner@alpha.test",
            password="a-long-passphrase-9",
            role=Role.OWNER,
            full_name="Olive Owner",
        )
    try:
        page.goto(live_stack["company"]("alpha") + "/")
        expect(page).to_have_url(re.compile(r"/accounts/login/"))
        page.get_by_label("Email").fill("e2e-owner@alpha.test")
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".alert-danger")).to_be_visible()
        page.get_by_label("Password").fill("a-long-passphrase-9")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you, Olive")
        # The sidebar is an offcanvas on a phone: open it with the labelled button.
        page.get_by_role("button", name="Open navigation").click()
        nav = page.get_by_role("navigation", name="Main navigation")
        expect(nav.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
        nav.get_by_role("link", name="Team").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Team")
        expect(page.get_by_role("cell", name="e2e-owner@alpha.test you")).to_be_visible()
    finally:
        with schema_context(tenant.schema_name):
            User.objects.filter(email="e2e-owner@alpha.test").delete()
