"""Shopify against its fake store: connect, import, incremental sync, stock push, retries."""

from __future__ import annotations

import time
from decimal import Decimal

import httpx
import pytest
from django_tenants.utils import schema_context

from apps.catalog.models import Variant
from apps.catalog.services import product_create
from apps.integrations.models import Connection, ExternalId, SyncRun
from apps.integrations.providers import shopify
from apps.integrations.sync import sync_run_retry, sync_run_start
from apps.inventory.models import Location, StockMove
from apps.inventory.services import MoveLine, stock_moves_post
from tests.integrations.conftest import connection_of, shopify_connect


def _run(sync_jobs, connection, entity):
    with sync_jobs():
        run = sync_run_start(connection=connection, entity=entity)
    run.refresh_from_db()
    return run


def test_connect_via_oauth_imports_products(
    tenant, manager_client, shopify_fake, warehouse, sync_jobs
):
    shopify_fake.add_product("Blue mug", [("MUG-BLUE", "12.50")])
    shopify_fake.add_product("T-shirt", [("TS-S", "20.00"), ("TS-M", "20.00")])

    response = shopify_connect(manager_client, shopify_fake, sync_jobs=sync_jobs)

    connection = connection_of(tenant)
    assert response.status_code == 302
    assert response["Location"] == f"/integrations/{connection.pk}/"
    assert connection.status == Connection.Status.CONNECTED
    assert connection.settings["locations"] == [
        {"warehouse_id": warehouse.pk, "location_id": "gid://shopify/Location/1"}
    ]
    with schema_context(tenant.schema_name):
        assert set(Variant.objects.values_list("sku", flat=True)) == {"MUG-BLUE", "TS-S", "TS-M"}
        tee = Variant.objects.get(sku="TS-M")
        assert tee.product.name == "T-shirt"
        assert tee.product.variants.count() == 2
        assert tee.sale_price == Decimal("20.00")
        run = SyncRun.objects.get(connection=connection)
        assert (run.state, run.trigger, run.created) == ("succeeded", "connect", 3)
        link = ExternalId.objects.get(connection=connection, entity="variant", local_id=tee.pk)
        assert link.data["inventory_item_id"] == shopify_fake.item_of("TS-M")


def test_oauth_callback_with_wrong_state_is_refused(tenant, manager_client, shopify_fake):
    response = manager_client.post("/integrations/shopify/connect/", {"shop": shopify_fake.url})
    approve = httpx.get(response["Location"])
    location = approve.headers["Location"].replace("state=", "state=forged")
    path = location.split("://", 1)[1].split("/", 1)[1]
    response = manager_client.get("/" + path, follow=True)
    assert "expired or was not started here" in response.content.decode()
    with schema_context(tenant.schema_name):
        assert not Connection.objects.exists()


def test_oauth_callback_with_tampered_hmac_is_refused(tenant, manager_client, shopify_fake):
    response = manager_client.post("/integrations/shopify/connect/", {"shop": shopify_fake.url})
    approve = httpx.get(response["Location"])
    location = approve.headers["Location"].replace("shop=fake-store", "shop=evil-store")
    path = location.split("://", 1)[1].split("/", 1)[1]
    response = manager_client.get("/" + path, follow=True)
    assert "could not be verified" in response.content.decode()
    with schema_context(tenant.schema_name):
        assert not Connection.objects.exists()


def test_clerk_cannot_connect(tenant, users, shopify_fake):
    from tests.conftest import TenantClient

    client = TenantClient(tenant)
    client.force_login(users["clerk"])
    response = client.post("/integrations/shopify/connect/", {"shop": shopify_fake.url})
    assert response.status_code == 403


@pytest.fixture
def connected(tenant, manager_client, shopify_fake, warehouse, sync_jobs):
    shopify_connect(manager_client, shopify_fake, sync_jobs=sync_jobs)
    with schema_context(tenant.schema_name):
        yield Connection.objects.get(provider="shopify")


def test_rerunning_the_import_changes_nothing(in_tenant, connected, shopify_fake, sync_jobs):
    shopify_fake.add_product("Blue mug", [("MUG-BLUE", "12.50")])
    first = _run(sync_jobs, connected, "products")
    connected.refresh_from_db()
    connected.sync_state = {}  # forget the cursor: a full re-import
    connected.save()
    again = _run(sync_jobs, connected, "products")
    assert (first.created, again.created, again.updated, again.skipped) == (1, 0, 0, 1)
    assert Variant.objects.filter(sku="MUG-BLUE").count() == 1
    assert ExternalId.objects.filter(connection=connected, entity="variant").count() == 1


def test_incremental_sync_reads_only_changed_products(
    in_tenant, connected, shopify_fake, sync_jobs
):
    mug = shopify_fake.add_product("Blue mug", [("MUG-BLUE", "12.50")])
    shopify_fake.add_product("Plate", [("PLATE", "5.00")])
    _run(sync_jobs, connected, "products")
    connected.refresh_from_db()
    time.sleep(0.01)
    shopify_fake.touch(mug, title="Big blue mug")
    mug["variants"][0]["price"] = "14.00"

    run = _run(sync_jobs, connected, "products")

    assert (run.created, run.updated, run.skipped) == (0, 1, 0)  # the plate was not read
    variant = Variant.objects.select_related("product").get(sku="MUG-BLUE")
    assert (variant.product.name, variant.sale_price) == ("Big blue mug", Decimal("14.00"))


def test_existing_local_sku_is_linked_not_duplicated(in_tenant, connected, shopify_fake, sync_jobs):
    product_create(name="Our mug", sku="MUG-BLUE")
    shopify_fake.add_product("Blue mug", [("mug-blue", "12.50")])
    run = _run(sync_jobs, connected, "products")
    assert (run.created, run.updated) == (0, 1)
    assert Variant.objects.filter(sku="MUG-BLUE").count() == 1


def test_variant_without_sku_is_skipped(in_tenant, connected, shopify_fake, sync_jobs):
    shopify_fake.add_product("Gift card", [("", "10.00")])
    run = _run(sync_jobs, connected, "products")
    assert (run.created, run.skipped) == (0, 1)


def test_rate_limit_429_waits_retry_after_and_completes(
    in_tenant, connected, shopify_fake, sync_jobs
):
    shopify_fake.add_product("Blue mug", [("MUG-BLUE", "12.50")])
    shopify_fake.script["Products"] = [429]
    before = shopify_fake.count("Products")
    started = time.monotonic()
    run = _run(sync_jobs, connected, "products")
    assert time.monotonic() - started >= 1.0  # Retry-After: 1
    assert (run.state, run.created) == ("succeeded", 1)
    assert shopify_fake.count("Products") - before == 2


def test_graphql_throttle_waits_for_points_and_completes(
    in_tenant, connected, shopify_fake, sync_jobs
):
    shopify_fake.add_product("Blue mug", [("MUG-BLUE", "12.50")])
    shopify_fake.throttle_next = 2
    started = time.monotonic()
    run = _run(sync_jobs, connected, "products")
    assert time.monotonic() - started >= 0.4  # 20 points short at 100/s, twice
    assert (run.state, run.created) == ("succeeded", 1)


def test_server_error_mid_sync_resumes_without_duplicates(
    in_tenant, connected, shopify_fake, sync_jobs, monkeypatch
):
    monkeypatch.setattr(shopify, "PAGE_SIZE", 2)
    for i in range(5):
        shopify_fake.add_product(f"Item {i}", [(f"ITEM-{i}", "1.00")])
    shopify_fake.script["Products"] = [None, 500, 500, 500, 500, 500]  # page 2 keeps failing

    failed = _run(sync_jobs, connected, "products")

    assert failed.state == "failed" and failed.created == 2
    assert "server error (500)" in failed.message
    connected.refresh_from_db()
    assert connected.status == Connection.Status.ERROR
    assert connected.sync_state["products"]["cursor"]
    with sync_jobs():
        retry = sync_run_retry(run=failed)
    retry.refresh_from_db()
    assert (retry.state, retry.created, retry.skipped) == ("succeeded", 3, 0)
    assert Variant.objects.filter(sku__startswith="ITEM-").count() == 5
    connected.refresh_from_db()
    assert connected.status == Connection.Status.CONNECTED


def test_transient_server_error_is_retried_within_the_run(
    in_tenant, connected, shopify_fake, sync_jobs
):
    shopify_fake.add_product("Blue mug", [("MUG-BLUE", "12.50")])
    shopify_fake.script["Products"] = [502]
    run = _run(sync_jobs, connected, "products")
    assert (run.state, run.created) == ("succeeded", 1)


def _receive(variant, location, qty):
    stock_moves_post(
        lines=[MoveLine(variant_id=variant.pk, location_id=location.pk, quantity=Decimal(qty))],
        kind=StockMove.Kind.RECEIPT,
    )


def test_stock_push_sets_available_with_compare_and_set(
    in_tenant, connected, shopify_fake, sync_jobs, warehouse
):
    shopify_fake.add_product("Blue mug", [("MUG-BLUE", "12.50")], stock=3)
    _run(sync_jobs, connected, "products")
    mug = Variant.objects.get(sku="MUG-BLUE")
    with sync_jobs():  # the arrival pushes by itself
        _receive(mug, Location.objects.get(warehouse=warehouse, code="A1"), 7)
    assert shopify_fake.available("MUG-BLUE") == 7
    change = shopify_fake.sets[-1]["quantities"][0]
    assert change["changeFromQuantity"] == 3
    run = SyncRun.objects.filter(connection=connected, entity="stock").latest("started_at")
    assert (run.state, run.trigger, run.updated) == ("succeeded", "stock change", 1)

    again = _run(sync_jobs, connected, "stock")  # nothing changed: nothing sent
    assert (again.updated, len(shopify_fake.sets)) == (0, 1)


def test_stale_quantity_is_read_again(in_tenant, connected, shopify_fake, sync_jobs, warehouse):
    shopify_fake.add_product("Blue mug", [("MUG-BLUE", "12.50")], stock=3)
    _run(sync_jobs, connected, "products")
    mug = Variant.objects.get(sku="MUG-BLUE")
    _receive(mug, Location.objects.get(warehouse=warehouse, code="A1"), 5)

    def sale_on_shopify(fake):  # someone buys one between our read and our write
        fake.levels[(fake.item_of("MUG-BLUE"), "gid://shopify/Location/1")] = 2

    shopify_fake.before_set = sale_on_shopify
    run = _run(sync_jobs, connected, "stock")
    assert (run.state, run.updated, run.failed) == ("succeeded", 1, 0)
    assert shopify_fake.available("MUG-BLUE") == 5
    assert shopify_fake.sets[-1]["quantities"][0]["changeFromQuantity"] == 2
    assert shopify_fake.count("InventorySet") == 2


def test_access_token_never_in_logs_or_pages(
    tenant, manager_client, shopify_fake, warehouse, sync_jobs, caplog
):
    caplog.set_level("DEBUG")
    shopify_fake.add_product("Blue mug", [("MUG-BLUE", "12.50")])
    shopify_connect(manager_client, shopify_fake, sync_jobs=sync_jobs)
    (token,) = shopify_fake.tokens
    (refresh,) = shopify_fake.refresh_tokens
    connection = connection_of(tenant)
    page = manager_client.get(f"/integrations/{connection.pk}/").content.decode()
    index = manager_client.get("/integrations/").content.decode()
    for secret in (token, refresh, shopify_fake.client_secret):
        assert secret not in caplog.text
        assert secret not in page and secret not in index
    assert token not in connection.credentials_encrypted
    assert "Saved (encrypted, not shown)" in page


def test_decreases_push_at_once_and_reservations_with_the_schedule(
    in_tenant, connected, shopify_fake, sync_jobs, warehouse
):
    from apps.integrations.tasks import products_sync_due, stock_push_due
    from apps.inventory.services import reservation_create

    shopify_fake.add_product("Blue mug", [("MUG-BLUE", "12.50")])
    _run(sync_jobs, connected, "products")
    mug = Variant.objects.get(sku="MUG-BLUE")
    bin_ = Location.objects.get(warehouse=warehouse, code="A1")
    with sync_jobs():
        _receive(mug, bin_, 10)
    assert shopify_fake.available("MUG-BLUE") == 10
    with sync_jobs():  # a shipment-like decrease is a ledger move: pushed at once
        stock_moves_post(
            lines=[MoveLine(variant_id=mug.pk, location_id=bin_.pk, quantity=Decimal("-4"))],
            kind=StockMove.Kind.ADJUSTMENT,
            reason=StockMove.Reason.LOST,
        )
    assert shopify_fake.available("MUG-BLUE") == 6
    with sync_jobs():  # a reservation moves no stock: the schedule sends it
        reservation_create(
            variant_id=mug.pk, location_id=bin_.pk, quantity=Decimal("2"), reference=("test", 1)
        )
    assert shopify_fake.available("MUG-BLUE") == 6
    with sync_jobs():
        assert stock_push_due() == 1
    assert shopify_fake.available("MUG-BLUE") == 4
    runs = SyncRun.objects.filter(connection=connected, entity="stock").count()
    with sync_jobs():
        assert stock_push_due() == 0  # nothing out of date: no run at all
    assert SyncRun.objects.filter(connection=connected, entity="stock").count() == runs
    with sync_jobs():
        assert products_sync_due() == 2  # products and orders


def test_connect_subscribes_to_webhooks_and_reconnect_keeps_the_connection(
    tenant, manager_client, shopify_fake, warehouse, sync_jobs
):
    shopify_connect(manager_client, shopify_fake, sync_jobs=sync_jobs)
    first = connection_of(tenant)
    assert set(shopify_fake.subscriptions) >= {
        "PRODUCTS_UPDATE",
        "APP_UNINSTALLED",
        "ORDERS_CREATE",
    }
    assert set(shopify_fake.subscriptions.values()) == {
        f"http://alpha.localhost/hooks/shopify/{first.pk}/"
    }
    with schema_context(tenant.schema_name):
        from apps.integrations.services import connection_disconnect

        connection_disconnect(connection=first, reason="test")
    shopify_connect(manager_client, shopify_fake, sync_jobs=sync_jobs)  # same store again
    again = connection_of(tenant)
    assert again.pk == first.pk
    assert again.status == Connection.Status.CONNECTED and again.credentials_encrypted


def test_expiring_token_is_refreshed_before_it_runs_out(
    in_tenant, connected, shopify_fake, sync_jobs
):
    from datetime import timedelta

    from django.utils import timezone

    from apps.integrations.services import connection_credentials_update, credentials_of

    shopify_fake.add_product("Blue mug", [("MUG-BLUE", "12.50")])
    old = credentials_of(connected)
    assert old["refresh_token"] and old["expires_at"]
    soon = (timezone.now() + timedelta(minutes=2)).isoformat()
    connection_credentials_update(connection=connected, credentials={"expires_at": soon})

    run = _run(sync_jobs, connected, "products")

    assert (run.state, run.created, shopify_fake.refreshes) == ("succeeded", 1, 1)
    connected.refresh_from_db()
    new = credentials_of(connected)
    assert new["access_token"] != old["access_token"]
    assert old["access_token"] not in shopify_fake.tokens  # revoked by the refresh
    assert new["expires_at"] > soon
    _run(sync_jobs, connected, "products")
    assert shopify_fake.refreshes == 1  # not due again


def test_refused_refresh_asks_to_reconnect(in_tenant, connected, shopify_fake, sync_jobs):
    from datetime import timedelta

    from django.utils import timezone

    from apps.integrations.services import connection_credentials_update

    soon = (timezone.now() + timedelta(minutes=1)).isoformat()
    connection_credentials_update(
        connection=connected, credentials={"expires_at": soon, "refresh_token": "shprt_revoked"}
    )
    run = _run(sync_jobs, connected, "products")
    assert run.state == "failed"
    assert (
        run.message == "Shopify no longer accepts the saved authorization. Connect the store again."
    )
    connected.refresh_from_db()
    assert connected.status == Connection.Status.ERROR
