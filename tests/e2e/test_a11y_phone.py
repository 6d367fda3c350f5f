"""Warehouse screens on a 375-px phone: nothing scrolls sideways and every control is a
touch target of at least 44 × 44 px."""

from tests.e2e.axe.support import drop_company, fresh_company, login, seed_documents

SLUG = "a11yphone"
OWNER = "own@phone.test"

SMALL_TARGETS = """() => {
    const selector = 'button, input:not([type=hidden]), select, textarea, a.btn, .page-link';
    const small = [];
    for (const el of document.querySelectorAll(selector)) {
        const box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        if (!box.width || !box.height || style.visibility === 'hidden') continue;  // not shown
        if (el.closest('.dropdown-menu, .modal:not(.show), .offcanvas-lg:not(.show), .toast')) continue;
        let target = box;
        if (el.type === 'checkbox' || el.type === 'radio') {
            const label = el.closest('.form-check') || el.labels && el.labels[0];
            if (label) target = label.getBoundingClientRect();
        }
        if (target.width < 44 || target.height < 44) {
            small.push(`${el.tagName}#${el.id}.${el.className} ${Math.round(target.width)}x${Math.round(target.height)} "${(el.innerText || el.name || '').trim().slice(0, 30)}"`);
        }
    }
    return small;
}"""


def test_warehouse_screens_fit_a_phone_with_big_touch_targets(live_stack, browser, committed):
    tenant = fresh_company(SLUG, OWNER)
    site = live_stack["company"](SLUG)
    context = browser.new_context(viewport={"width": 375, "height": 740}, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        ids = seed_documents(tenant, OWNER)
        login(page, site, OWNER)
        screens = {
            "scan": "/products/scan/",
            "pick list": f"/sales/pick-lists/{ids['pick_list']}/",
            "pick": f"/sales/pick-lists/{ids['pick_list']}/scan/",
            "receive": f"/purchasing/orders/{ids['po']}/receive/",
            "counts": "/inventory/counts/",
            "count": f"/inventory/counts/{ids['count']}/",
        }
        problems = {}
        for name, path in screens.items():
            response = page.goto(site + path)
            assert response.status == 200, (name, response.status)
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            body = page.evaluate("document.body.scrollWidth")
            small = page.evaluate(SMALL_TARGETS)
            if width > 375 or body > 375 or small:
                problems[name] = {"scroll width": max(width, body), "small targets": small}
            page.screenshot(path=f"/tmp/a11y-phone-{name.replace(' ', '-')}.png", full_page=True)
        assert problems == {}, problems
    finally:
        context.close()
        drop_company(SLUG)
