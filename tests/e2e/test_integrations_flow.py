"""Connect a fake Shopify store from the integrations page and watch the first import.

Its own web server and worker (started here, with the fake store's app credentials in
their environment), a real OAuth round trip through the browser, and the progress bar
polled until the worker finishes and the page shows the run in the sync log.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.catalog.models import Variant
from apps.integrations.models import Connection, SyncRun
from apps.inventory.models import Location, Warehouse
from apps.tenants.models import Tenant
from apps.tenants.services.lifecycle import tenant_delete_now
from apps.tenants.services.provisioning import tenant_provision
from tests.e2e.conftest import _free_port, _wait_for
from tests.fakes.shopify import FakeShopify

pytestmark = pytest.mark.e2e


@pytest.fixture
def store():
    fake = FakeShopify().start()
    for i in range(120):  # three pages of 50
        fake.add_product(f"Lamp {i}", [(f"LAMP-{i:03d}", "30.00")])
    fake.delay = 0.3  # slow enough to see the progress bar move
    yield fake
    fake.stop()


@pytest.fixture
def stack(store, django_db_setup, django_db_blocker):
    port = _free_port()
    with django_db_blocker.unblock():
        db_name = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "STOCKROOM_DB_NAME": db_name,
        "PORT": str(port),
        "PUBLIC_PORT": str(port),
        "Q_WORKERS": "1",
        "DEBUG": "true",
        "STOCKROOM_TESTING": "1",
        "SHOPIFY_CLIENT_ID": store.client_id,
        "SHOPIFY_CLIENT_SECRET": store.client_secret,
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for args in (["runserver", f"127.0.0.1:{port}", "--noreload"], ["qcluster"])
    ]
    try:
        _wait_for(f"http://localhost:{port}/healthz")
        yield lambda slug: f"http://{slug}.localhost:{port}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_connect_shopify_and_watch_the_first_import(stack, store, page, committed):
    for stale in Tenant.objects.filter(slug="shopflow"):
        tenant_delete_now(tenant=stale)
    tenant = tenant_provision(
        name="Shop Flow",
        subdomain="shopflow",
        owner_email="own@shopflow.test",
        owner_password="a-long-passphrase-9",
    )
    with schema_context(tenant.schema_name):
        warehouse = Warehouse.objects.create(code="MAIN", name="Main")
        Location.objects.create(warehouse=warehouse, code="A1")
    site = stack("shopflow")
    try:
        page.goto(site + "/accounts/login/")
        page.get_by_label("Email").fill("own@shopflow.test")
        page.get_by_label("Password").fill("a-long-passphrase-9")
        page.get_by_role("button", name="Sign in").click()
        page.goto(site + "/integrations/")
        expect(page.get_by_text("No integrations yet")).to_be_visible()
        page.get_by_role("link", name="Connect Shopify").click()
        page.get_by_label("Store address").fill(store.url)
        page.get_by_role("button", name="Continue to Shopify").click()
        # Through the fake store's approval and back: the first import's progress bar.
        expect(page.get_by_role("progressbar", name=re.compile("^Import"))).to_be_visible()
        expect(page.get_by_role("heading", name="Fake Store")).to_be_visible()
        # The worker finishes; the page reloads with the run in the sync log.
        log = page.locator("#run-table tbody tr").first
        expect(log).to_contain_text("Succeeded", timeout=90_000)
        expect(log).to_contain_text("120")
        expect(page.get_by_role("progressbar", name=re.compile("^Import"))).to_have_count(0)
        with schema_context(tenant.schema_name):
            shop = Connection.objects.get()
            assert shop.status == Connection.Status.CONNECTED
            assert SyncRun.objects.get(connection=shop).created == 120
            assert Variant.objects.filter(sku__startswith="LAMP-").count() == 120
        page.goto(site + "/integrations/")
        expect(page.locator("table")).to_contain_text("Connected")
    finally:
        for t in Tenant.objects.filter(slug="shopflow"):
            tenant_delete_now(tenant=t)
