"""Keyboard only: sign in, create a sales order, confirm it and ship it using Tab, Enter,
Space and typing, never the mouse; every stop along the way shows where focus is."""

import re

from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tests.e2e.axe.support import PASSWORD, drop_company, fresh_company, seed_documents

SLUG = "a11ykey"
OWNER = "own@key.test"

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
        || style.boxShadow !== 'none';
    const labels = el.labels ? Array.from(el.labels).map(l => l.innerText).join(' ') : '';
    return {
        name: [el.getAttribute('aria-label') || '', labels, el.innerText || '', el.value || '']
            .join(' ').replace(/\\s+/g, ' ').trim(),
        // Chromium can move focus into a date input's own day/month/year parts, and then the
        // input matches neither :focus nor :focus-visible; app.css rings it on :focus-within.
        tag: el.tagName, id: el.id,
        visible: (el.matches(':focus-visible') || (el.type === 'date' && el.matches(':focus-within')))
            && ring,
    };
}"""


def tab_to(page, wanted: str = "", *, field: str = "", exact: bool = False) -> dict:
    """Press Tab until the focused element is the form field with id ``field``, or its name
    contains (or, ``exact``, equals) ``wanted``; check every stop's focus ring on the way."""
    seen = []
    for _ in range(150):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        assert focused["visible"], f"no visible focus on {focused}"
        seen.append(focused["id"] or focused["name"][:40])
        name = focused["name"].lower()
        if field:
            if focused["id"] == field:
                return focused
        elif (name == wanted.lower()) if exact else (wanted.lower() in name):
            return focused
    raise AssertionError(f"{wanted or field!r} not reached by Tab; stops: {seen}")


def test_sign_in_create_confirm_ship_with_the_keyboard_only(live_stack, browser, committed):
    tenant = fresh_company(SLUG, OWNER)
    site = live_stack["company"](SLUG)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        seed_documents(tenant, OWNER)
        page.goto(site + "/accounts/login/")
        tab_to(page, "Email")
        page.keyboard.type("clerk@a11y.test")
        tab_to(page, "Password")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")

        tab_to(page, "Sales", exact=True)
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{site}/sales/")
        tab_to(page, "New order")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("order")

        tab_to(page, field="id_customer")
        page.keyboard.type("Ada")  # type-ahead picks "Ada Shop"
        assert page.locator("#id_customer option:checked").inner_text() == "Ada Shop"
        tab_to(page, field="id_lines-0-code")
        page.keyboard.type("4006381333931")
        tab_to(page, field="id_lines-0-quantity")
        page.keyboard.type("3")
        tab_to(page, "Save draft")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")

        tab_to(page, "Confirm and reserve stock")
        page.keyboard.press("Space")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Confirmed")

        tab_to(page, "Ship", exact=True)
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/ship/$"))
        page.wait_for_load_state()
        tab_to(page, field="id_carrier")
        page.keyboard.type("UPS")
        tab_to(page, field="id_tracking_number")
        page.keyboard.type("1Z999AA10123456784")
        focused = tab_to(page, "Ship", exact=True)
        assert focused["tag"] == "BUTTON"
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Shipped")

        from apps.sales.models import SalesOrder

        with schema_context(tenant.schema_name):
            order = SalesOrder.objects.filter(customer__name="Ada Shop").latest("pk")
            assert order.status == SalesOrder.Status.SHIPPED
            assert order.shipments.get().tracking_number == "1Z999AA10123456784"
    finally:
        context.close()
        drop_company(SLUG)
