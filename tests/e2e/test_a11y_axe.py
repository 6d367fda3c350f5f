"""axe-core (vendored under tests/e2e/axe, never shipped) on every main screen: no serious
or critical violations, at desktop width and on a phone."""

from tests.e2e.axe.support import (
    axe_violations,
    drop_company,
    fresh_company,
    login,
    seed_documents,
)

SLUG = "a11yaxe"
OWNER = "own@a11y.test"


def _screens(ids: dict) -> dict[str, str]:
    return {
        "dashboard": "/",
        "products": "/products/",
        "product page": f"/products/{ids['product']}/",
        "stock levels": "/inventory/",
        "history": "/inventory/history/",
        "transfers": "/inventory/transfers/",
        "counts": "/inventory/counts/",
        "count page": f"/inventory/counts/{ids['count']}/",
        "purchase orders": "/purchasing/",
        "PO page": f"/purchasing/orders/{ids['po']}/",
        "receiving": f"/purchasing/orders/{ids['po']}/receive/",
        "sales orders": "/sales/",
        "order page": f"/sales/orders/{ids['order']}/",
        "new order": "/sales/orders/new/",
        "pick list": f"/sales/pick-lists/{ids['pick_list']}/",
        "pick scan": f"/sales/pick-lists/{ids['pick_list']}/scan/",
        "customers": "/sales/customers/",
        "reports": "/reports/",
        "integrations": "/integrations/",
        "settings": "/settings/",
        "profile": "/team/profile/",
    }


def test_main_screens_have_no_serious_axe_violations(live_stack, browser, committed):
    tenant = fresh_company(SLUG, OWNER)
    site = live_stack["company"](SLUG)
    try:
        ids = seed_documents(tenant, OWNER)
        found = {}
        for width, height in ((1280, 900), (375, 800)):
            context = browser.new_context(
                viewport={"width": width, "height": height}, bypass_csp=True
            )
            page = context.new_page()
            page.set_default_timeout(20_000)
            login(page, site, OWNER)
            for name, path in _screens(ids).items():
                response = page.goto(site + path)
                assert response.status == 200, (name, response.status)
                page.wait_for_load_state("networkidle")
                violations = axe_violations(page)
                if violations:
                    found[f"{name} @{width}px"] = violations
            context.close()
        assert found == {}, "\n".join(
            f"{screen}: {v['id']} ({v['impact']}) {v['help']} -> {v['nodes']}"
            for screen, vs in found.items()
            for v in vs
        )
    finally:
        drop_company(SLUG)
