"""Offline: the web app manifest, a service worker that keeps the app shell and visited
warehouse screens, and actions taken offline refused in words, not silently lost."""

import json

from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tests.e2e.axe.support import drop_company, fresh_company, login, seed_documents

SLUG = "a11yoff"
OWNER = "own@off.test"


def _picked(tenant) -> list:
    from apps.sales.models import PickListLine

    with schema_context(tenant.schema_name):
        return [str(q) for q in PickListLine.objects.values_list("picked_quantity", flat=True)]


def test_manifest_and_service_worker_offline(live_stack, browser, committed):
    tenant = fresh_company(SLUG, OWNER)
    site = live_stack["company"](SLUG)
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        ids = seed_documents(tenant, OWNER)
        login(page, site, OWNER)

        # The manifest is linked, valid JSON, and its icons exist.
        href = page.locator("link[rel=manifest]").get_attribute("href")
        fetch = "async (url) => { const r = await fetch(url); return [r.status, await r.text()]; }"
        status, text = page.evaluate(fetch, href)
        manifest = json.loads(text)
        assert status == 200
        assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
        for icon in manifest["icons"]:
            assert page.evaluate(fetch, icon["src"])[0] == 200, icon

        scan = f"{site}/sales/pick-lists/{ids['pick_list']}/scan/"
        page.goto(scan)
        # The service worker takes control of the page (clients.claim) and caches the shell.
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller")
        page.wait_for_function(
            """async () => {
                const names = await caches.keys();
                for (const name of names) {
                    const cache = await caches.open(name);
                    const keys = (await cache.keys()).map(r => r.url);
                    if (keys.some(u => u.includes('/static/css/app.css'))) return true;
                }
                return false;
            }"""
        )
        page.reload()  # now through the worker: the page copy is kept too
        expect(page.get_by_role("heading", level=1)).to_contain_text("Pick list")
        before = _picked(tenant)

        context.set_offline(True)
        # The warehouse screen still loads, styled, with the offline notice in words.
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Pick list")
        expect(page.get_by_role("status").filter(has_text="Offline")).to_be_visible()
        display = page.evaluate(
            "getComputedStyle(document.querySelector('.visually-hidden') || document.body).position"
        )
        assert display == "absolute"  # Bootstrap from the cache, not a bare page

        # A pick confirmed offline is refused with a clear message and nothing is sent.
        page.get_by_label("1. Scan the bin").fill("A-01")
        page.get_by_label("2. Scan the item (SKU or barcode)").fill("4006381333931")
        page.get_by_role("button", name="Confirm pick").click()
        alert = page.locator("form .offline-refused")
        expect(alert).to_have_text("You are offline. Nothing was saved: reconnect and try again.")
        expect(alert).to_have_attribute("role", "alert")
        assert page.url == scan

        # A page never visited says it is offline instead of a browser error.
        page.goto(f"{site}/inventory/transfers/")
        expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")

        # Even a form post that reaches the worker is refused, not queued.
        status, text = page.evaluate(
            """async (url) => {
                const r = await fetch(url, {method: 'POST', body: new FormData()});
                return [r.status, await r.text()];
            }""",
            scan,
        )
        assert status == 503 and "Nothing was saved" in text
        assert _picked(tenant) == before

        # Back online: the banner goes and the same pick goes through.
        context.set_offline(False)
        page.goto(scan)
        expect(page.get_by_role("status").filter(has_text="Offline")).to_have_count(0)
        page.get_by_label("1. Scan the bin").fill("A-01")
        page.get_by_label("2. Scan the item (SKU or barcode)").fill("4006381333931")
        page.get_by_role("button", name="Confirm pick").click()
        expect(page.locator(".offline-refused")).to_have_count(0)
        assert _picked(tenant) != before
    finally:
        context.close()
        drop_company(SLUG)
