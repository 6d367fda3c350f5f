"""The dashboard in a phone-sized Chromium: widgets load as partials, charts draw from their
JSON, the date range applies to every widget, widgets reorder from the keyboard, and the
valuation report downloads as PDF and Excel."""

from __future__ import annotations

import re
from decimal import Decimal

from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.tenants.models import Tenant
from apps.tenants.services.lifecycle import tenant_delete_now
from apps.tenants.services.provisioning import tenant_provision


def test_dashboard_widgets_range_and_keyboard_reordering(live_stack, page, committed):
    for stale in Tenant.objects.filter(slug="dashflow"):
        tenant_delete_now(tenant=stale)
    tenant = tenant_provision(
        name="Dash Flow",
        subdomain="dashflow",
        owner_email="own@dash.test",
        owner_password="a-long-passphrase-9",
    )
    with schema_context(tenant.schema_name):
        from apps.catalog.services import product_create
        from apps.inventory.models import StockMove
        from apps.inventory.services import MoveLine, stock_moves_post
        from apps.inventory.warehousing import location_create, warehouse_create

        shelf = location_create(warehouse=warehouse_create(code="MAIN", name="Main"), code="A-01")
        lamp = product_create(name="Desk lamp", sku="LAMP-1").variants.get()
        stock_moves_post(
            kind=StockMove.Kind.RECEIPT,
            lines=[MoveLine(lamp.pk, shelf.pk, Decimal(12), Decimal("7.50"))],
        )
    site = live_stack["company"]("dashflow")
    try:
        page.goto(site + "/accounts/login/")
        page.get_by_label("Email").fill("own@dash.test")
        page.get_by_label("Password").fill("a-long-passphrase-9")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")

        # Each widget arrives on its own; charts are drawn from their JSON endpoints.
        value = page.locator("#widget-stock_value")
        expect(value).to_contain_text("90.00")  # 12 × 7.50
        page.wait_for_function(
            "() => { const c = document.querySelector('#widget-stock_value canvas');"
            " return c && window.Chart && Chart.getChart(c); }"
        )
        value.get_by_text("Stock value as a table").click()
        expect(value.get_by_role("cell", name="12", exact=True)).to_be_visible()

        # The date range applies to every widget and stays in the URL.
        page.get_by_label("Period").select_option("today")
        page.get_by_role("button", name="Apply").click()
        expect(page).to_have_url(re.compile(r"period=today"))
        expect(page.locator("#widget-stock_movements")).to_contain_text("12 units in")
        page.get_by_label("Period").select_option("last_year")
        page.get_by_role("button", name="Apply").click()
        expect(page.locator("#widget-top_moved")).to_contain_text("Nothing moved between")

        # Reorder with the keyboard: focus stays on the pressed button.
        page.get_by_text("Customize dashboard").click()
        first = page.locator("#dashboard-widgets [hx-get]").first.get_attribute("id")
        key = first.removeprefix("widget-")
        page.locator(f"#move-down-{key}").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#dashboard-widgets [hx-get]").nth(1)).to_have_id(first)
        expect(page.locator(f"#move-down-{key}")).to_be_focused()
        page.keyboard.press("Shift+Tab")  # the "move up" button of the same widget
        page.keyboard.press("Enter")
        expect(page.locator("#dashboard-widgets [hx-get]").first).to_have_id(first)

        # Hidden widgets stay hidden after a reload. (Under heavy load the panel has been seen
        # closed at this point, cause not found yet: open it again rather than time out.)
        if page.locator("#dashboard-customize[open]").count() == 0:
            page.get_by_text("Customize dashboard").click()
        page.get_by_role("button", name="Hide Top moved products").click()
        expect(page.locator("#widget-top_moved")).to_have_count(0)
        page.reload()
        expect(page.locator("#widget-top_moved")).to_have_count(0)
        expect(page.locator("#widget-stock_value")).to_contain_text("90.00")

        # The valuation report downloads as PDF and Excel with the same total.
        page.goto(site + "/reports/valuation-as-of/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("aluation")
        with page.expect_download() as pdf:
            page.get_by_role("link", name="PDF", exact=True).click()
        pdf_path = pdf.value.path()
        assert pdf.value.suggested_filename.endswith(".pdf")
        with page.expect_download() as xlsx:
            page.get_by_role("link", name="Excel", exact=True).click()
        assert xlsx.value.suggested_filename.endswith(".xlsx")
        from io import BytesIO

        from openpyxl import load_workbook
        from pypdf import PdfReader

        text = "".join(p.extract_text() for p in PdfReader(pdf_path).pages)
        assert "90.00" in text
        sheet = load_workbook(BytesIO(open(xlsx.value.path(), "rb").read())).active
        values = [c for row in sheet.iter_rows(values_only=True) for c in row]
        assert any(isinstance(v, (int, float, Decimal)) and float(v) == 90.0 for v in values)
    finally:
        # Leave the dashboard first: its widgets would still be loading while the
        # company's schema is dropped, and the two would deadlock.
        page.goto("about:blank")
        page.wait_for_timeout(500)
        for t in Tenant.objects.filter(slug="dashflow"):
            tenant_delete_now(tenant=t)
