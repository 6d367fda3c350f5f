"""Fakes of the channel APIs, started on 127.0.0.1 for each test that asks for one."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

import httpx
import pytest
from django_tenants.utils import schema_context

from tests.conftest import TenantClient
from tests.fakes.shopify import FakeShopify


@pytest.fixture(autouse=True)
def _fast_backoff(settings):
    settings.INTEGRATIONS_BACKOFF_SECONDS = 0.01
    settings.INTEGRATIONS_MAX_WAIT_SECONDS = 5
    settings.WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def shopify_fake(settings):
    fake = FakeShopify().start()
    settings.SHOPIFY_CLIENT_ID = fake.client_id
    settings.SHOPIFY_CLIENT_SECRET = fake.client_secret
    yield fake
    fake.stop()


@pytest.fixture
def warehouse(tenant):
    from apps.inventory.models import Location, Warehouse

    with schema_context(tenant.schema_name):
        wh = Warehouse.objects.create(code="MAIN", name="Main warehouse")
        Location.objects.create(warehouse=wh, code="A1")
    return wh


@pytest.fixture
def manager_client(tenant, users) -> TenantClient:
    client = TenantClient(tenant)
    client.force_login(users["manager"])
    return client


def shopify_connect(client: TenantClient, fake: FakeShopify, *, sync_jobs=None):
    """Walk the OAuth flow: our connect form → the fake's authorize page → our callback."""
    response = client.post("/integrations/shopify/connect/", {"shop": fake.url, "name": ""})
    assert response.status_code == 302, response.content
    approve = httpx.get(response["Location"], follow_redirects=False)
    assert approve.status_code == 302
    callback = urlsplit(approve.headers["Location"])
    if sync_jobs is not None:
        with sync_jobs():
            return client.get(f"{callback.path}?{callback.query}")
    return client.get(f"{callback.path}?{callback.query}")


def connection_of(tenant, provider="shopify"):
    from apps.integrations.models import Connection

    with schema_context(tenant.schema_name):
        return Connection.objects.get(provider=provider)


@pytest.fixture
def shop(tenant, manager_client, shopify_fake, warehouse, sync_jobs):
    """A Shopify store connected with two products imported and 10 of each in stock here."""
    from apps.catalog.models import Variant
    from apps.inventory.models import Location, StockMove
    from apps.inventory.services import MoveLine, stock_moves_post

    shopify_fake.add_product("Blue mug", [("MUG-BLUE", "12.50")], stock=10)
    shopify_fake.add_product("Plate", [("PLATE", "5.00")], stock=10)
    shopify_connect(manager_client, shopify_fake, sync_jobs=sync_jobs)
    connection = connection_of(tenant)
    with schema_context(tenant.schema_name):
        bin_ = Location.objects.get(warehouse=warehouse, code="A1")
        with sync_jobs():
            stock_moves_post(
                lines=[
                    MoveLine(variant_id=v.pk, location_id=bin_.pk, quantity=Decimal(10))
                    for v in Variant.objects.filter(sku__in=["MUG-BLUE", "PLATE"])
                ],
                kind=StockMove.Kind.RECEIPT,
            )
    return connection
