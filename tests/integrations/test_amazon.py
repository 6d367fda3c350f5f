"""Amazon SP-API against its fake: LWA tokens, orders by cursor with NextToken pages, FBA
inventory mirrored into its warehouse, merchant-fulfilled quantities pushed to listings."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.catalog.services import product_create
from apps.integrations.errors import IntegrationError
from apps.integrations.models import Connection, SyncRun
from apps.integrations.providers import amazon
from apps.integrations.services import credentials_of
from apps.integrations.sync import sync_run_retry, sync_run_start
from apps.inventory.models import Location, StockLevel, StockMove, Warehouse
from apps.inventory.services import MoveLine, stock_moves_post
from apps.inventory.warehousing import location_create, warehouse_create
from apps.sales.models import SalesOrder
from tests.fakes.amazon import FakeAmazon

D = Decimal


@pytest.fixture
def fake(settings):
    fake = FakeAmazon().start()
    settings.INTEGRATIONS_AMAZON_API_BASE = fake.url
    settings.INTEGRATIONS_AMAZON_LWA_URL = fake.url + "/auth/o2/token"
    yield fake
    fake.stop()


@pytest.fixture
def setup(tenant, fake):
    """A merchant warehouse with 10 of SKU-1 and 4 of SKU-2, and the connection."""
    with schema_context(tenant.schema_name):
        main = warehouse_create(code="MAIN", name="Main")
        bin_ = location_create(warehouse=main, code="A1")
        variants = {
            sku: product_create(name=f"Product {sku}", sku=sku, sale_price=D("20")).variants.get()
            for sku in ("SKU-1", "SKU-2")
        }
        for sku, qty in (("SKU-1", 10), ("SKU-2", 4)):
            stock_moves_post(
                lines=[MoveLine(variants[sku].pk, bin_.pk, D(qty), D("5"))],
                kind=StockMove.Kind.RECEIPT,
            )
        connection = _connect(fake, warehouse=main)
    return {"connection": connection, "main": main, "variants": variants}


def _connect(fake, **extra) -> Connection:
    return amazon.connection_connect(
        name="",
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        refresh_token=fake.refresh_token,
        seller_id=fake.seller_id,
        marketplace="US",
        **extra,
    )


def _run(tenant, connection, sync_jobs, entity, retry_of=None) -> SyncRun:
    with schema_context(tenant.schema_name):
        with sync_jobs():
            run = (
                sync_run_retry(run=retry_of)
                if retry_of
                else sync_run_start(connection=connection, entity=entity)
            )
        run.refresh_from_db()
        return run


def test_connect_exchanges_the_refresh_token_and_creates_the_fba_warehouse(tenant, setup, fake):
    connection = setup["connection"]
    assert connection.name == "Amazon US"
    with schema_context(tenant.schema_name):
        fba = Warehouse.objects.get(pk=connection.settings["fba_warehouse_id"])
        assert fba.code == "AMZ-FBA-US"
        assert Location.objects.filter(warehouse=fba, code="FBA").exists()
        assert credentials_of(connection)["access_token"] in fake.tokens
    assert fake.refresh_token not in connection.credentials_encrypted


def test_wrong_refresh_token_or_marketplace_refused_in_words(in_tenant, fake):
    with pytest.raises(IntegrationError, match="authorise the app again"):
        amazon.connection_connect(
            name="x",
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            refresh_token="Atzr|wrong",
            seller_id=fake.seller_id,
            marketplace="US",
        )
    with pytest.raises(IntegrationError, match="does not sell on Amazon JP"):
        amazon.connection_connect(
            name="x",
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            refresh_token=fake.refresh_token,
            seller_id=fake.seller_id,
            marketplace="JP",
        )
    assert not Connection.objects.exists()


def test_access_token_cached_until_it_nearly_expires(tenant, setup, fake, sync_jobs):
    connection = setup["connection"]
    calls = fake.count("token")
    _run(tenant, connection, sync_jobs, "orders")
    _run(tenant, connection, sync_jobs, "orders")
    assert fake.count("token") == calls  # still valid: no new exchange
    with schema_context(tenant.schema_name):
        from apps.integrations.services import connection_credentials_update

        connection_credentials_update(
            connection=connection, credentials={"access_expires_at": "2020-01-01T00:00:00+00:00"}
        )
    _run(tenant, connection, sync_jobs, "orders")
    assert fake.count("token") == calls + 1


def test_orders_import_over_pages_then_incrementally(tenant, setup, fake, sync_jobs):
    connection = setup["connection"]
    fake.add_order("111-1", lines=(("SKU-1", 2, "19.50"),))
    fake.add_order("111-2", lines=(("SKU-1", 1, "19.50"), ("SKU-2", 1, "9.00")))
    fake.add_order("111-3", status="Pending")
    fake.add_order("111-4", channel="AFN")
    fake.add_order("111-5", lines=(("SKU-2", 1, "9.00"),))
    run = _run(tenant, connection, sync_jobs, "orders")
    assert (run.state, run.created, run.skipped) == ("succeeded", 3, 2)
    assert fake.count("orders") == 3  # five orders, pages of two
    with schema_context(tenant.schema_name):
        order = SalesOrder.objects.get(customer_reference__endswith="111-1")
        assert order.status == SalesOrder.Status.CONFIRMED
        # reported apart from the web shops in sales by channel
        assert order.channel == SalesOrder.Channel.MARKETPLACE
        line = order.lines.get()
        assert line.unit_price == D("19.50") and line.quantity == 2
        assert order.customer.name == "Amazon US customers"
        assert StockLevel.objects.get(variant__sku="SKU-1").reserved == 3
    # incremental: only the changed order is read again; cancelling releases its stock
    fake.set_status("111-1", "Canceled")
    again = _run(tenant, connection, sync_jobs, "orders")
    assert (again.created, again.updated) == (0, 1)
    with schema_context(tenant.schema_name):
        assert SalesOrder.objects.get(customer_reference__endswith="111-1").status == "cancelled"
        assert StockLevel.objects.get(variant__sku="SKU-1").reserved == 1
        assert SalesOrder.objects.count() == 3


def test_429_waits_for_the_rate_limit_and_completes(tenant, setup, fake, sync_jobs):
    """No Retry-After: the wait comes from x-amzn-RateLimit-Limit (0.5/s → 2 s), not from the
    test's 0.01 s backoff."""
    fake.add_order("222-1")
    fake.rate_limit = "0.5"
    fake.script["orders"] = [429]
    started = time.monotonic()
    run = _run(tenant, setup["connection"], sync_jobs, "orders")
    assert time.monotonic() - started >= 2
    assert (run.state, run.created) == ("succeeded", 1)
    assert fake.count("orders") == 2


def test_server_error_mid_sync_resumes_from_the_page_without_duplicates(
    tenant, setup, fake, sync_jobs
):
    for n in range(1, 6):
        fake.add_order(f"333-{n}")
    fake.script["orders"] = [None] + [503] * 5  # the second page fails for good
    failed = _run(tenant, setup["connection"], sync_jobs, "orders")
    assert failed.state == "failed" and failed.created == 2
    retry = _run(tenant, setup["connection"], sync_jobs, "orders", retry_of=failed)
    assert (retry.state, retry.created) == ("succeeded", 3)
    with schema_context(tenant.schema_name):
        assert SalesOrder.objects.count() == 5
        assert StockLevel.objects.get(variant__sku="SKU-1").reserved == 10


def test_unknown_sku_fails_that_order_only(tenant, setup, fake, sync_jobs):
    fake.add_order("444-1", lines=(("NOPE", 1, "1.00"),))
    fake.add_order("444-2")
    run = _run(tenant, setup["connection"], sync_jobs, "orders")
    assert (run.created, run.failed) == (1, 1)
    assert "444-1" in run.errors[0]["record"] and "NOPE" in run.errors[0]["message"]


def test_fba_inventory_mirrored_and_rerun_changes_nothing(tenant, setup, fake, sync_jobs):
    fake.fba = {"SKU-1": 7, "SKU-2": 0, "GHOST": 3}
    fake.page_size = 2
    run = _run(tenant, setup["connection"], sync_jobs, "inventory")
    assert (run.state, run.updated, run.skipped) == ("succeeded", 1, 2)
    assert "GHOST" in run.message
    fba_id = setup["connection"].settings["fba_warehouse_id"]
    with schema_context(tenant.schema_name):
        level = StockLevel.objects.get(variant__sku="SKU-1", location__warehouse_id=fba_id)
        assert level.on_hand == 7
        move = StockMove.objects.get(location__warehouse_id=fba_id)
        assert move.kind == StockMove.Kind.SYNC
    again = _run(tenant, setup["connection"], sync_jobs, "inventory")
    assert again.updated == 0
    fake.fba["SKU-1"] = 5
    third = _run(tenant, setup["connection"], sync_jobs, "inventory")
    assert third.updated == 1
    with schema_context(tenant.schema_name):
        level = StockLevel.objects.get(variant__sku="SKU-1", location__warehouse_id=fba_id)
        assert level.on_hand == 5


def test_merchant_quantities_pushed_once_and_after_a_change(tenant, setup, fake, sync_jobs):
    fake.listings = {
        "SKU-1": {"channel": "DEFAULT", "quantity": 0},
        "SKU-2": {"channel": "DEFAULT", "quantity": 0},
        "FBA-ONLY": {"channel": "AMAZON_NA", "quantity": 9},
    }
    run = _run(tenant, setup["connection"], sync_jobs, "stock")
    assert (run.state, run.updated) == ("succeeded", 2)
    assert fake.listings["SKU-1"]["quantity"] == 10 and fake.listings["SKU-2"]["quantity"] == 4
    assert fake.listings["FBA-ONLY"]["quantity"] == 9
    again = _run(tenant, setup["connection"], sync_jobs, "stock")
    assert (again.updated, again.skipped) == (0, 2)
    assert fake.count("patch") == 2
    with schema_context(tenant.schema_name):
        bin_ = Location.objects.get(warehouse=setup["main"], code="A1")
        stock_moves_post(
            lines=[MoveLine(setup["variants"]["SKU-2"].pk, bin_.pk, D(-3))],
            kind=StockMove.Kind.ADJUSTMENT,
            reason="damaged",
        )
    third = _run(tenant, setup["connection"], sync_jobs, "stock")
    assert third.updated == 1 and fake.listings["SKU-2"]["quantity"] == 1


def test_polling_schedule_starts_each_sync(tenant, setup, fake, sync_jobs):
    with schema_context(tenant.schema_name):
        with sync_jobs():
            assert amazon.polling_due() == 3
        assert set(SyncRun.objects.values_list("entity", flat=True)) == {
            "orders",
            "inventory",
            "stock",
        }


def test_credentials_never_logged(tenant, fake, sync_jobs, caplog):
    caplog.set_level("DEBUG")
    with schema_context(tenant.schema_name):
        connection = _connect(fake)
    fake.add_order("555-1", channel="AFN")
    _run(tenant, connection, sync_jobs, "orders")
    for secret in (fake.client_secret, fake.refresh_token, *fake.tokens):
        assert secret not in caplog.text


def test_polling_is_scheduled(db):
    import io

    from django.core.management import call_command
    from django_q.models import Schedule

    from apps.core.jobs import _import

    call_command("ensure_schedules", stdout=io.StringIO())
    for name in ("amazon polling", "quickbooks polling", "mailchimp polling"):
        schedule = Schedule.objects.get(name=name)
        assert schedule.func == "apps.core.jobs.fan_out"
        assert callable(_import(schedule.args.strip("'")))


def test_connect_page(tenant, manager_client, fake):
    with schema_context(tenant.schema_name):
        main = warehouse_create(code="MAIN", name="Main")
    form = manager_client.get("/integrations/amazon/connect/").content.decode()
    assert "Amazon JP" in form and "Amazon DE" in form
    response = manager_client.post(
        "/integrations/amazon/connect/",
        {
            "name": "",
            "marketplace": "US",
            "seller_id": fake.seller_id,
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
            "refresh_token": fake.refresh_token,
            "warehouse": main.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    page = manager_client.get(response["Location"]).content.decode()
    assert "Import FBA inventory" in page and "Import orders" in page
    assert fake.client_secret not in page and fake.refresh_token not in page
