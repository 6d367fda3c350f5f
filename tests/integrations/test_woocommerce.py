"""WooCommerce against its fake store: keys, import with variations, stock push, webhooks."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.catalog.models import Variant
from apps.integrations.models import Connection, InboxEvent, SyncRun
from apps.integrations.providers import woocommerce
from apps.integrations.sync import sync_run_retry, sync_run_start
from apps.inventory.models import Location, StockMove
from apps.inventory.services import MoveLine, stock_moves_post
from tests.fakes.woocommerce import FakeWooCommerce


@pytest.fixture
def woo_fake():
    fake = FakeWooCommerce().start()
    yield fake
    fake.stop()


def _connect(client, fake, warehouse, **overrides):
    data = {
        "name": "Woo shop",
        "url": fake.url,
        "consumer_key": fake.consumer_key,
        "consumer_secret": fake.consumer_secret,
        "warehouse": warehouse.pk,
        **overrides,
    }
    return client.post("/integrations/woocommerce/connect/", data)


@pytest.fixture
def connection(tenant, manager_client, woo_fake, warehouse, sync_jobs):
    with sync_jobs():
        response = _connect(manager_client, woo_fake, warehouse)
    assert response.status_code == 302, response.content.decode()[:3000]
    with schema_context(tenant.schema_name):
        yield Connection.objects.get(provider="woocommerce")


def _run(sync_jobs, connection, entity):
    with sync_jobs():
        run = sync_run_start(connection=connection, entity=entity)
    run.refresh_from_db()
    return run


def test_connect_creates_signed_webhooks(connection, woo_fake, warehouse):
    assert {h["topic"] for h in woo_fake.webhooks.values()} == set(woocommerce.TOPICS)
    hook = next(iter(woo_fake.webhooks.values()))
    assert hook["delivery_url"] == f"http://alpha.localhost/hooks/woocommerce/{connection.pk}/"
    assert len(hook["secret"]) >= 32
    assert hook["secret"] not in connection.credentials_encrypted
    assert connection.settings["locations"] == [{"warehouse_id": warehouse.pk}]


def test_wrong_keys_are_refused_in_words(tenant, manager_client, woo_fake, warehouse):
    response = _connect(manager_client, woo_fake, warehouse, consumer_secret="cs_wrong")
    assert "WooCommerce refused our credentials (401)" in response.content.decode()
    with schema_context(tenant.schema_name):
        assert not Connection.objects.exists()


def test_plain_http_or_private_store_address_is_refused(
    tenant, manager_client, woo_fake, warehouse, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    response = _connect(manager_client, woo_fake, warehouse, url="http://shop.example.com")
    assert "must start with https://" in response.content.decode()
    response = _connect(manager_client, woo_fake, warehouse, url="https://127.0.0.1:8443")
    assert "points into a private network" in response.content.decode()
    assert woo_fake.calls == []


def test_initial_import_brings_simple_and_variable_products(
    in_tenant, connection, woo_fake, sync_jobs
):
    woo_fake.add_simple("Candle", "CANDLE", "8.00")
    woo_fake.add_variable("Hoodie", [("HOOD-S", "40.00", "S"), ("HOOD-L", "42.00", "L")])
    run = _run(sync_jobs, connection, "products")
    assert (run.state, run.created) == ("succeeded", 3)
    large = Variant.objects.get(sku="HOOD-L")
    assert (large.product.name, large.options, large.sale_price) == (
        "Hoodie", {"size": "L"}, Decimal("42.00"),
    )  # fmt: skip
    assert large.product.variants.count() == 2


def test_incremental_sync_and_idempotent_rerun(in_tenant, connection, woo_fake, sync_jobs):
    candle = woo_fake.add_simple("Candle", "CANDLE", "8.00")
    woo_fake.add_simple("Soap", "SOAP", "3.00")
    _run(sync_jobs, connection, "products")
    connection.refresh_from_db()
    time.sleep(0.01)
    woo_fake.touch(candle, regular_price="9.50")
    run = _run(sync_jobs, connection, "products")
    assert (run.created, run.updated, run.skipped) == (0, 1, 0)
    assert Variant.objects.get(sku="CANDLE").sale_price == Decimal("9.50")
    connection.refresh_from_db()
    connection.sync_state = {}
    connection.save()
    full = _run(sync_jobs, connection, "products")
    assert (full.created, full.updated, full.skipped) == (0, 0, 2)


def test_server_error_mid_sync_resumes_without_duplicates(
    in_tenant, connection, woo_fake, sync_jobs, monkeypatch
):
    monkeypatch.setattr(woocommerce, "PAGE_SIZE", 2)
    for i in range(5):
        woo_fake.add_simple(f"Item {i}", f"ITEM-{i}")
    woo_fake.script["GET /wp-json/wc/v3/products"] = [None, 503, 503, 503, 503, 503]
    failed = _run(sync_jobs, connection, "products")
    assert (failed.state, failed.created) == ("failed", 2)
    with sync_jobs():
        retry = sync_run_retry(run=failed)
    retry.refresh_from_db()
    assert (retry.state, retry.created) == ("succeeded", 3)
    assert Variant.objects.filter(sku__startswith="ITEM-").count() == 5


def test_rate_limit_429_waits_and_completes(in_tenant, connection, woo_fake, sync_jobs):
    woo_fake.add_simple("Candle", "CANDLE")
    woo_fake.script["GET /wp-json/wc/v3/products"] = [429]
    started = time.monotonic()
    run = _run(sync_jobs, connection, "products")
    assert time.monotonic() - started >= 1.0
    assert (run.state, run.created) == ("succeeded", 1)


def test_stock_push_after_local_change(in_tenant, connection, woo_fake, sync_jobs, warehouse):
    woo_fake.add_simple("Candle", "CANDLE", stock=1)
    woo_fake.add_variable("Hoodie", [("HOOD-S", "40.00", "S"), ("HOOD-L", "42.00", "L")])
    _run(sync_jobs, connection, "products")
    bin_ = Location.objects.get(warehouse=warehouse, code="A1")
    lines = [
        MoveLine(
            variant_id=Variant.objects.get(sku=sku).pk, location_id=bin_.pk, quantity=Decimal(q)
        )
        for sku, q in (("CANDLE", "6"), ("HOOD-L", "2.5"))
    ]
    with sync_jobs():
        stock_moves_post(lines=lines, kind=StockMove.Kind.RECEIPT)
    assert woo_fake.stock_of("CANDLE") == 6
    assert woo_fake.stock_of("HOOD-L") == 2  # whole units only
    again = _run(sync_jobs, connection, "stock")
    assert again.updated == 0
    batches = len(woo_fake.batches)
    with sync_jobs():  # a decrease is a ledger move too: pushed at once
        stock_moves_post(
            lines=[
                MoveLine(
                    variant_id=lines[0].variant_id, location_id=bin_.pk, quantity=Decimal("-2")
                )
            ],
            kind=StockMove.Kind.ADJUSTMENT,
            reason=StockMove.Reason.DAMAGED,
        )
    assert woo_fake.stock_of("CANDLE") == 4
    assert len(woo_fake.batches) == batches + 1  # the candle's product batch only


def test_webhook_valid_invalid_replayed(tenant, tenant_client, connection, woo_fake, sync_jobs):
    product = woo_fake.add_simple("Candle", "CANDLE", "8.00")
    body, headers = woo_fake.delivery("product.updated", product, delivery_id="d-1")
    url = f"/hooks/woocommerce/{connection.pk}/"
    with sync_jobs():
        ok = tenant_client.post(url, data=body, content_type="application/json", headers=headers)
        replay = tenant_client.post(
            url, data=body, content_type="application/json", headers=headers
        )
    bad_body, bad_headers = woo_fake.delivery("product.updated", product, secret="nope")
    bad = tenant_client.post(
        url, data=bad_body, content_type="application/json", headers=bad_headers
    )
    assert (ok.status_code, replay.json()["duplicate"], bad.status_code) == (200, True, 401)
    with schema_context(tenant.schema_name):
        assert InboxEvent.objects.filter(connection=connection).count() == 1
        assert InboxEvent.objects.get().state == "processed"
        assert Variant.objects.filter(sku="CANDLE").exists()


def test_webhook_ping_is_answered(tenant_client, connection):
    response = tenant_client.post(
        f"/hooks/woocommerce/{connection.pk}/", data=b"webhook_id=12",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert response.status_code == 200


def test_keys_never_in_logs_or_pages(
    tenant, manager_client, woo_fake, warehouse, caplog, sync_jobs
):
    caplog.set_level("DEBUG")
    with sync_jobs():
        _connect(manager_client, woo_fake, warehouse)
    with schema_context(tenant.schema_name):
        connection = Connection.objects.get(provider="woocommerce")
        runs = SyncRun.objects.filter(connection=connection).count()
    page = manager_client.get(f"/integrations/{connection.pk}/").content.decode()
    assert runs == 1
    assert "Import products now" in page and "Import orders now" in page
    for secret in (woo_fake.consumer_key, woo_fake.consumer_secret):
        assert secret not in caplog.text and secret not in page


def test_failed_webhook_can_be_processed_again(
    tenant, tenant_client, manager_client, connection, woo_fake, sync_jobs
):
    hoodie = woo_fake.add_variable("Hoodie", [("HOOD-S", "40.00", "S")])
    woo_fake.script["GET /wp-json/wc/v3/products/<id>/variations"] = [500] * 5  # store is down
    body, headers = woo_fake.delivery("product.updated", hoodie)
    with sync_jobs():
        tenant_client.post(
            f"/hooks/woocommerce/{connection.pk}/",
            data=body,
            content_type="application/json",
            headers=headers,
        )
    with schema_context(tenant.schema_name):
        event = InboxEvent.objects.get()
        assert event.state == "failed" and "server error (500)" in event.error
        failed = SyncRun.objects.get(connection=connection, entity="webhook")
        assert failed.state == "failed" and failed.errors[0]["record"].startswith("product.updated")
    page = manager_client.get(f"/integrations/{connection.pk}/").content.decode()
    assert "Process again" in page
    with sync_jobs():
        manager_client.post(f"/integrations/{connection.pk}/inbox/{event.pk}/retry/")
    with schema_context(tenant.schema_name):
        event.refresh_from_db()
        assert event.state == "processed"
        assert Variant.objects.filter(sku="HOOD-S").exists()
    response = manager_client.post(
        f"/integrations/{connection.pk}/inbox/{event.pk}/retry/", follow=True
    )
    assert "Only a failed webhook" in response.content.decode()


def _woo_order(product, status, qty=2):
    return {
        "id": 727, "number": "727", "status": status, "currency": "EUR", "customer_id": 0,
        "billing": {"first_name": "Bo", "last_name": "Berg", "email": "bo@example.com"},
        "shipping": {"first_name": "Bo", "last_name": "Berg", "address_1": "Storgatan 1",
                     "city": "Uppsala", "postcode": "75310", "country": "SE"},
        "line_items": [{"id": 1, "name": "Candle", "product_id": product["id"],
                        "variation_id": 0, "quantity": qty, "sku": "CANDLE", "price": 8.5}],
    }  # fmt: skip


def test_woocommerce_order_is_imported_once_paid_and_cancelled_with_the_store(
    tenant, tenant_client, connection, woo_fake, sync_jobs, warehouse
):
    from apps.inventory.models import StockLevel
    from apps.sales.currency import exchange_rate_set
    from apps.sales.models import SalesOrder

    exchange_rate_set(currency="EUR", rate="1.08")  # the store sells in euros
    candle = woo_fake.add_simple("Candle", "CANDLE", "8.50", stock=5)
    _run(sync_jobs, connection, "products")
    with sync_jobs():
        stock_moves_post(
            lines=[MoveLine(variant_id=Variant.objects.get(sku="CANDLE").pk,
                            location_id=Location.objects.get(warehouse=warehouse).pk,
                            quantity=Decimal(5))],
            kind=StockMove.Kind.RECEIPT,
        )  # fmt: skip
    url = f"/hooks/woocommerce/{connection.pk}/"

    def send(topic, status):
        body, headers = woo_fake.delivery(topic, _woo_order(candle, status))
        with sync_jobs():
            tenant_client.post(url, data=body, content_type="application/json", headers=headers)

    send("order.created", "pending")
    assert not SalesOrder.objects.exists()  # waits for payment
    send("order.updated", "processing")
    order = SalesOrder.objects.get()
    assert (order.status, order.currency, order.customer.email) == (
        "confirmed", "EUR", "bo@example.com",
    )  # fmt: skip
    assert order.exchange_rate == Decimal("1.08")  # captured for reports in the company currency
    assert "Storgatan 1" in order.shipping_address
    assert StockLevel.objects.get(variant__sku="CANDLE").reserved == Decimal(2)
    send("order.updated", "processing")  # another update: not a second order
    assert SalesOrder.objects.count() == 1
    send("order.updated", "cancelled")
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert StockLevel.objects.get(variant__sku="CANDLE").reserved == Decimal(0)


def test_order_pull_is_incremental_paginated_429_aware_and_idempotent(
    in_tenant, connection, woo_fake, sync_jobs, warehouse
):
    from apps.sales.models import SalesOrder

    woo_fake.max_per_page = 2  # the store pages by 2 whatever we ask
    woo_fake.add_simple("Candle", "CANDLE", "8.50")
    _run(sync_jobs, connection, "products")
    paid = [woo_fake.add_order("processing", [("CANDLE", 1, "8.50")]) for _ in range(3)]
    woo_fake.add_order("pending", [("CANDLE", 1, "8.50")])
    woo_fake.script["GET /wp-json/wc/v3/orders"] = [None, 429]  # page 2 is rate limited once
    run = _run(sync_jobs, connection, "orders")
    assert (run.state, run.created, run.skipped, run.failed) == ("succeeded", 3, 1, 0)
    assert woo_fake.count("GET /wp-json/wc/v3/orders") == 3  # two pages + the 429
    assert SalesOrder.objects.filter(status="confirmed").count() == 3
    # Nothing changed since: the next run asks only for what changed and creates nothing.
    run = _run(sync_jobs, connection, "orders")
    assert (run.created, run.skipped) == (0, 0)
    # One order cancelled in the store, one new paid order: the next run sees exactly those.
    woo_fake.touch(paid[0], status="cancelled")
    woo_fake.add_order("completed", [("CANDLE", 2, "8.50")])
    run = _run(sync_jobs, connection, "orders")
    assert (run.created, run.updated, run.skipped) == (1, 1, 0)
    assert SalesOrder.objects.filter(status="cancelled").count() == 1
    assert SalesOrder.objects.count() == 4
    # The cursor is cleared after a complete run; a rerun from scratch changes nothing.
    connection.refresh_from_db()
    assert connection.sync_state["orders"]["cursor"] is None
    connection.sync_state["orders"]["updated_since"] = None
    connection.save()
    run = _run(sync_jobs, connection, "orders")
    assert run.created == 0 and SalesOrder.objects.count() == 4
