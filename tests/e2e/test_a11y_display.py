"""Per-person display settings in the browser: high contrast and larger text, chosen on the
profile page, apply to every page and stay free of serious axe violations; status badges
always carry words, so colour is never the only signal."""

from playwright.sync_api import expect

from tests.e2e.axe.support import (
    axe_violations,
    drop_company,
    fresh_company,
    login,
    seed_documents,
)

SLUG = "a11ydisp"
OWNER = "own@disp.test"

BADGES_WITHOUT_WORDS = """() => Array.from(document.querySelectorAll('.badge'))
    .filter(b => b.getBoundingClientRect().width > 0)
    .filter(b => !(b.textContent || '').trim() && !b.getAttribute('aria-label'))
    .map(b => b.outerHTML)"""


def test_high_contrast_and_larger_text_per_person(live_stack, browser, committed):
    tenant = fresh_company(SLUG, OWNER)
    site = live_stack["company"](SLUG)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        ids = seed_documents(tenant, OWNER)
        login(page, site, OWNER)
        base = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")

        page.goto(site + "/team/profile/")
        page.get_by_label("High contrast").check()
        page.get_by_label("Text size").select_option(label="Larger")
        page.get_by_role("button", name="Save display settings").click()
        expect(page.get_by_text("Display settings saved.")).to_be_visible()

        screens = ("/", "/sales/", f"/sales/orders/{ids['order']}/", "/purchasing/")
        found = {}
        for path in screens + (f"/purchasing/orders/{ids['po']}/",):
            page.goto(site + path)
            page.wait_for_load_state("networkidle")
            html = page.locator("html")
            expect(html).to_have_attribute("data-contrast", "high")
            expect(html).to_have_attribute("data-font-size", "larger")
            size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
            assert size == base * 1.25, (path, size, base)
            colour = page.evaluate("getComputedStyle(document.body).color")
            assert colour == "rgb(0, 0, 0)", colour
            assert page.evaluate(BADGES_WITHOUT_WORDS) == [], path
            violations = axe_violations(page)
            if violations:
                found[path] = violations
        assert found == {}, found

        # The order's status badge says the status in words.
        from django_tenants.utils import schema_context

        from apps.sales.models import SalesOrder

        with schema_context(tenant.schema_name):
            status = SalesOrder.objects.get(pk=ids["order"]).get_status_display()
        page.goto(f"{site}/sales/orders/{ids['order']}/")
        expect(page.locator(".badge", has_text=status).first).to_be_visible()
    finally:
        context.close()
        drop_company(SLUG)


def test_settings_belong_to_one_person(live_stack, browser, committed):
    tenant = fresh_company(SLUG, OWNER)
    site = live_stack["company"](SLUG)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        seed_documents(tenant, OWNER)
        login(page, site, OWNER)
        page.goto(site + "/team/profile/")
        page.get_by_label("High contrast").check()
        page.get_by_role("button", name="Save display settings").click()
        expect(page.locator("html")).to_have_attribute("data-contrast", "high")
        context.clear_cookies()
        login(page, site, "clerk@a11y.test")
        expect(page.locator("html")).not_to_have_attribute("data-contrast", "high")
        expect(page.locator("html")).to_have_attribute("data-font-size", "normal")
    finally:
        context.close()
        drop_company(SLUG)
