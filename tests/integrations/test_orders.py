"""Channel orders become sales orders with stock reserved; shipping pushes stock back out."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.catalog.models import Variant
from apps.integrations.models import Connection, ExternalId, InboxEvent
from apps.integrations.sync import sync_run_start
from apps.inventory.models import Location, StockLevel, StockMove
from apps.inventory.services import MoveLine, stock_moves_post
from apps.sales.models import SalesOrder
from apps.sales.shipping import shipment_create
from tests.fakes.woocommerce import FakeWooCommerce
from tests.integrations.conftest import connection_of, shopify_connect

D = Decimal


@pytest.fixture
def shop(tenant, manager_client, shopify_fake, warehouse, sync_jobs):
    shopify_fake.add_product("Blue mug", [("MUG-BLUE", "12.50")], stock=10)
    shopify_fake.add_product("Plate", [("PLATE", "5.00")], stock=10)
    shopify_connect(manager_client, shopify_fake, sync_jobs=sync_jobs)
    connection = connection_of(tenant)
    with schema_context(tenant.schema_name):
        bin_ = Location.objects.get(warehouse=warehouse, code="A1")
        with sync_jobs():
            stock_moves_post(
                lines=[
                    MoveLine(variant_id=v.pk, location_id=bin_.pk, quantity=D(10))
                    for v in Variant.objects.filter(sku__in=["MUG-BLUE", "PLATE"])
                ],
                kind=StockMove.Kind.RECEIPT,
            )
    return connection


def _deliver(client, connection, fake, topic, payload, event_id=None):
    body, headers = fake.webhook(topic, payload, event_id=event_id)
    return client.post(
        f"/hooks/shopify/{connection.pk}/",
        data=body,
        content_type="application/json",
        headers=headers,
    )


def _level(sku):
    return StockLevel.objects.get(variant__sku=sku)


def test_shopify_order_becomes_a_confirmed_sales_order_with_stock_reserved(
    tenant, tenant_client, shop, shopify_fake, sync_jobs
):
    payload = shopify_fake.create_order([("MUG-BLUE", 3), ("PLATE", 1)])
    with sync_jobs():
        assert (
            _deliver(tenant_client, shop, shopify_fake, "orders/create", payload).status_code == 200
        )
    with schema_context(tenant.schema_name):
        order = SalesOrder.objects.get()
        assert (order.status, order.channel) == ("confirmed", "web")
        assert order.customer.email == "ann@example.com" and order.customer.name == "Ann Lee"
        assert "1 Main St" in order.shipping_address
        assert {
            (line.variant.sku, line.quantity, line.unit_price) for line in order.lines.all()
        } == {
            ("MUG-BLUE", D(3), D("12.50")),
            ("PLATE", D(1), D("5.00")),
        }
        assert (_level("MUG-BLUE").reserved, _level("PLATE").reserved) == (D(3), D(1))
        assert ExternalId.objects.filter(connection=shop, entity="order").count() == 1


def test_the_same_order_twice_is_imported_once(
    tenant, tenant_client, shop, shopify_fake, sync_jobs
):
    payload = shopify_fake.create_order([("MUG-BLUE", 2)])
    with sync_jobs():
        _deliver(tenant_client, shop, shopify_fake, "orders/create", payload)
        # A different delivery of the same order (orders/updated): not a second order.
        _deliver(tenant_client, shop, shopify_fake, "orders/updated", payload)
    with schema_context(tenant.schema_name):
        assert SalesOrder.objects.count() == 1
        assert _level("MUG-BLUE").reserved == D(2)
        assert InboxEvent.objects.count() == 2


def test_second_order_of_the_same_customer_reuses_the_customer(
    tenant, tenant_client, shop, shopify_fake, sync_jobs
):
    with sync_jobs():
        for _ in range(2):
            payload = shopify_fake.create_order([("PLATE", 1)])
            _deliver(tenant_client, shop, shopify_fake, "orders/create", payload)
    with schema_context(tenant.schema_name):
        assert SalesOrder.objects.values("customer").distinct().count() == 1


def test_order_with_an_unknown_sku_fails_whole_and_can_be_processed_again(
    tenant, tenant_client, manager_client, shop, shopify_fake, sync_jobs
):
    shopify_fake.add_product("Lamp", [("LAMP", "30.00")])  # not imported yet
    payload = shopify_fake.create_order([("MUG-BLUE", 1), ("LAMP", 1)])
    with sync_jobs():
        _deliver(tenant_client, shop, shopify_fake, "orders/create", payload)
    with schema_context(tenant.schema_name):
        event = InboxEvent.objects.get(topic="orders/create")
        assert event.state == "failed" and "LAMP" in event.error
        assert not SalesOrder.objects.exists()
        assert _level("MUG-BLUE").reserved == D(0)  # nothing half-written
        with sync_jobs():
            sync_run_start(connection=shop, entity="products")
    with sync_jobs():
        manager_client.post(f"/integrations/{shop.pk}/inbox/{event.pk}/retry/")
    with schema_context(tenant.schema_name):
        assert SalesOrder.objects.get().lines.count() == 2


def test_cancelled_in_shopify_cancels_and_releases(
    tenant, tenant_client, shop, shopify_fake, sync_jobs
):
    payload = shopify_fake.create_order([("MUG-BLUE", 4)])
    with sync_jobs():
        _deliver(tenant_client, shop, shopify_fake, "orders/create", payload)
        payload["cancelled_at"] = "2026-12-02T10:00:00-05:00"
        payload["cancel_reason"] = "customer"
        _deliver(tenant_client, shop, shopify_fake, "orders/cancelled", payload)
    with schema_context(tenant.schema_name):
        order = SalesOrder.objects.get()
        assert order.status == "cancelled"
        assert _level("MUG-BLUE").reserved == D(0)


def test_order_from_shopify_shipped_here_pushes_stock_to_shopify_and_woocommerce(
    tenant, tenant_client, manager_client, shop, shopify_fake, warehouse, sync_jobs
):
    """The issue's end-to-end: Shopify order → sales order with stock reserved → shipped in
    Stockroom → the new available goes back to both stores."""
    woo = FakeWooCommerce().start()
    try:
        woo.add_simple("Blue mug", "MUG-BLUE", "12.50", stock=10)
        with sync_jobs():
            response = manager_client.post(
                "/integrations/woocommerce/connect/",
                {"name": "Woo", "url": woo.url, "consumer_key": woo.consumer_key,
                 "consumer_secret": woo.consumer_secret, "warehouse": warehouse.pk},
            )  # fmt: skip
        assert response.status_code == 302
        payload = shopify_fake.create_order([("MUG-BLUE", 3)])  # Shopify shows 7 now
        with sync_jobs():
            _deliver(tenant_client, shop, shopify_fake, "orders/create", payload)
        with schema_context(tenant.schema_name):
            order = SalesOrder.objects.get()
            assert (_level("MUG-BLUE").on_hand, _level("MUG-BLUE").reserved) == (D(10), D(3))
            assert woo.stock_of("MUG-BLUE") == 10  # reservations wait for the schedule
            with sync_jobs():
                shipment_create(order=order)
            order.refresh_from_db()
            assert order.status == "shipped"
            assert (_level("MUG-BLUE").on_hand, _level("MUG-BLUE").reserved) == (D(7), D(0))
            woo_connection = Connection.objects.get(provider="woocommerce")
            assert woo_connection.status == "connected"
        assert shopify_fake.available("MUG-BLUE") == 7
        assert woo.stock_of("MUG-BLUE") == 7
    finally:
        woo.stop()


def test_order_pull_catches_orders_whose_webhook_never_came(
    tenant, tenant_client, shop, shopify_fake, sync_jobs
):
    missed = shopify_fake.create_order([("MUG-BLUE", 2)])  # its webhook is never delivered
    delivered = shopify_fake.create_order([("PLATE", 1)])
    with sync_jobs():
        _deliver(tenant_client, shop, shopify_fake, "orders/create", delivered)
    with schema_context(tenant.schema_name):
        with sync_jobs():
            run = sync_run_start(connection=shop, entity="orders")
        run.refresh_from_db()
        assert (run.state, run.created, run.skipped) == ("succeeded", 1, 1)
        assert SalesOrder.objects.count() == 2
        assert _level("MUG-BLUE").reserved == D(2)
        shop.refresh_from_db()
        shopify_fake.cancel_order(missed["admin_graphql_api_id"])
        with sync_jobs():
            again = sync_run_start(connection=shop, entity="orders")
        again.refresh_from_db()
        assert (again.created, again.updated, again.skipped) == (
            0,
            1,
            0,
        )  # only the cancelled one read
        assert SalesOrder.objects.filter(status="cancelled").count() == 1
        assert _level("MUG-BLUE").reserved == D(0)


def test_shopify_page_offers_the_order_pull(tenant, manager_client, shop):
    page = manager_client.get(f"/integrations/{shop.pk}/").content.decode()
    assert "Import orders now" in page
