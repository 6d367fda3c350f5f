"""The customer flow in a browser on a phone-sized screen: add a customer, get warned
about a duplicate and create it anyway, search and sort the list without reloading,
add an address and a note, archive through the confirmation dialog."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.tenants.models import Tenant
from apps.tenants.services.lifecycle import tenant_delete_now
from apps.tenants.services.provisioning import tenant_provision

pytestmark = pytest.mark.e2e
PASSWORD = "a-long-passphrase-9"


def test_customer_flow(live_stack, page, committed):
    from apps.sales.models import Customer, CustomerAddress, CustomerNote

    for stale in Tenant.objects.filter(slug="custflow"):
        tenant_delete_now(tenant=stale)
    tenant = tenant_provision(
        name="Customer Flow",
        subdomain="custflow",
        owner_email="own@cust.test",
        owner_password=PASSWORD,
    )
    site = live_stack["company"]("custflow")
    try:
        page.goto(site + "/accounts/login/")
        page.get_by_label("Email").fill("own@cust.test")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()

        page.goto(site + "/sales/customers/")
        expect(page.get_by_text("No customers yet")).to_be_visible()
        for name, email in (("Acme Retail", "buyer@acme.test"), ("Acme Again", "BUYER@acme.test")):
            page.goto(site + "/sales/customers/new/")
            page.locator("#id_name").fill(name)
            page.locator("#id_email").fill(email)
            page.locator("#id_tags").fill("wholesale")
            page.get_by_role("button", name="Add customer").click()
        # The second one shares the email: warned, nothing created yet.
        expect(page.get_by_text("This may be a customer you already have")).to_be_visible()
        expect(page.get_by_role("link", name="Acme Retail")).to_be_visible()
        with schema_context(tenant.schema_name):
            assert Customer.objects.count() == 1
        page.get_by_role("button", name="Create anyway").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Again")

        # An address and a note on the customer page.
        page.get_by_role("link", name="Add address").click()
        page.locator("#id_line1").fill("1 Dock Road")
        page.locator("#id_city").fill("Springfield")
        page.locator("#id_country").fill("us")
        page.get_by_role("button", name="Save address").click()
        expect(page.locator("#addresses")).to_contain_text("1 Dock Road")
        page.locator("#note-body").fill("Prefers deliveries before noon")
        page.get_by_role("button", name="Add to log").click()
        expect(page.locator("#log")).to_contain_text("Prefers deliveries before noon")

        # Search swaps only the table; sorting by name descending via the header.
        page.goto(site + "/sales/customers/")
        page.get_by_label("Search by name, email, phone, tax ID or contact").fill("retail")
        expect(page.locator("#customer-table tbody tr")).to_have_count(1)
        expect(page).to_have_url(
            f"{site}/sales/customers/?q=retail&segment=&tier=&tag=&active=active"
        )
        page.get_by_label("Search by name, email, phone, tax ID or contact").fill("")
        expect(page.locator("#customer-table tbody tr")).to_have_count(2)
        page.get_by_role("link", name="Name").click()
        expect(page.locator("#customer-table tbody tr").first).to_contain_text("Acme Retail")
        expect(page.locator("#customer-table")).to_have_count(1)
        # Phone width: the page itself never scrolls sideways (the table scrolls in its box).
        no_sideways = "document.documentElement.scrollWidth <= window.innerWidth"
        assert page.evaluate(no_sideways)

        # Archive through the dialog.
        page.get_by_role("link", name="Acme Retail").click()
        page.get_by_role("link", name="Archive").click()
        page.get_by_role("button", name="Archive").click()
        expect(page.get_by_text("Acme Retail archived.")).to_be_visible()
        assert page.evaluate(no_sideways)  # the customer page too
        with schema_context(tenant.schema_name):
            assert not Customer.objects.get(name="Acme Retail").is_active
            assert CustomerAddress.objects.get().is_default
            assert CustomerNote.objects.count() == 1
    finally:
        for t in Tenant.objects.filter(slug="custflow"):
            tenant_delete_now(tenant=t)
