"""The integrations pages: health list, connection page with sync log, retry, pause, roles."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.integrations.models import Connection, SyncRun
from apps.integrations.services import connection_create
from apps.notifications.models import Notification
from tests.conftest import TenantClient
from tests.integrations.conftest import connection_of, shopify_connect


def _connection(tenant, name="Shop", provider="woocommerce", **extra):
    with schema_context(tenant.schema_name):
        return connection_create(
            provider=provider,
            name=name,
            base_url="https://shop.example.com",
            credentials={"consumer_key": "ck_secret_value", "consumer_secret": "cs_secret_value"},
            **extra,
        )


def _runs(tenant, connection, n, **fields):
    with schema_context(tenant.schema_name):
        SyncRun.objects.bulk_create(
            [
                SyncRun(
                    connection=connection,
                    entity="products",
                    state=fields.get("state", "succeeded"),
                    created=i,
                    finished_at=timezone.now(),
                    errors=fields.get("errors", []),
                    failed=fields.get("failed", 0),
                )
                for i in range(n)
            ]
        )


def test_empty_page_invites_to_connect(manager_client):
    body = manager_client.get("/integrations/").content.decode()
    assert "No integrations yet" in body
    assert "Connect Shopify" in body and "Connect WooCommerce" in body and "Connect Stripe" in body


def test_index_lists_health_with_a_fixed_query_count(
    tenant, manager_client, django_assert_max_num_queries
):
    first = _connection(tenant, "Shop 1")
    _runs(tenant, first, 3, state="failed")
    with django_assert_max_num_queries(14):
        one = manager_client.get("/integrations/")
    assert "Shop 1" in one.content.decode()
    for i in range(2, 12):
        _runs(tenant, _connection(tenant, f"Shop {i}"), 3)
    with django_assert_max_num_queries(14):
        many = manager_client.get("/integrations/")
    body = many.content.decode()
    assert "Shop 11" in body and "ck_secret_value" not in body


def test_detail_shows_log_errors_and_paginates_with_fixed_queries(
    tenant, manager_client, django_assert_max_num_queries
):
    connection = _connection(tenant)
    _runs(tenant, connection, 1, state="failed", failed=1,
          errors=[{"record": "SKU-9 · Lamp (77)", "message": "Conflicts with another record."}])  # fmt: skip
    url = f"/integrations/{connection.pk}/"
    with django_assert_max_num_queries(20):
        one = manager_client.get(url).content.decode()
    assert "SKU-9 · Lamp (77)" in one and "Conflicts with another record." in one
    assert "Retry" in one
    _runs(tenant, connection, 40)
    with django_assert_max_num_queries(20):
        many = manager_client.get(url).content.decode()
    assert "Page 1 of 2" in many
    failed_only = manager_client.get(
        url + "?state=failed", headers={"HX-Request": "true", "HX-Target": "run-table"}
    )
    text = failed_only.content.decode()
    assert "<html" not in text and "SKU-9" in text


def test_retry_button_starts_a_new_run(tenant, manager_client, sync_jobs):
    connection = _connection(tenant, settings={"locations": []})
    _runs(tenant, connection, 1, state="failed")
    with schema_context(tenant.schema_name):
        run = SyncRun.objects.get()
    response = manager_client.post(f"/integrations/{connection.pk}/runs/{run.pk}/retry/")
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        retry = SyncRun.objects.exclude(pk=run.pk).get()
        assert (retry.retry_of_id, retry.trigger) == (run.pk, "retry")


def test_a_second_run_while_one_runs_is_refused_in_words(tenant, manager_client):
    connection = _connection(tenant)
    manager_client.post(f"/integrations/{connection.pk}/sync/products/")
    response = manager_client.post(f"/integrations/{connection.pk}/sync/products/", follow=True)
    assert "already running" in response.content.decode()
    with schema_context(tenant.schema_name):
        assert SyncRun.objects.count() == 1


def test_failed_sync_notifies_managers_and_marks_the_connection(
    tenant, manager_client, users, sync_jobs
):
    connection = _connection(tenant)  # no warehouse mapped: the stock push cannot run
    with schema_context(tenant.schema_name), sync_jobs():
        from apps.integrations.sync import sync_run_start

        sync_run_start(connection=connection, entity="stock")
    with schema_context(tenant.schema_name):
        run = SyncRun.objects.get()
        assert run.state == "failed" and "Choose the warehouse" in run.message
        connection.refresh_from_db()
        assert connection.status == Connection.Status.ERROR
        note = Notification.objects.get(recipient=users["manager"], kind="sync_failed")
        assert "Shop" in note.title and "Choose the warehouse" in note.body
        assert not Notification.objects.filter(recipient=users["clerk"]).exists()
    assert "Choose the warehouse" in manager_client.get("/integrations/").content.decode()


def test_pause_asks_first_then_stops_syncs(tenant, manager_client):
    connection = _connection(tenant)
    confirm = manager_client.get(f"/integrations/{connection.pk}/pause/").content.decode()
    assert "Pause Shop?" in confirm
    manager_client.post(f"/integrations/{connection.pk}/pause/")
    response = manager_client.post(f"/integrations/{connection.pk}/sync/products/", follow=True)
    assert "is paused" in response.content.decode()
    manager_client.post(f"/integrations/{connection.pk}/resume/")
    with schema_context(tenant.schema_name):
        assert Connection.objects.get().status == "connected"


def test_disconnect_forgets_credentials(tenant, manager_client):
    connection = _connection(tenant)
    assert (
        "Disconnect Shop?"
        in manager_client.get(f"/integrations/{connection.pk}/disconnect/").content.decode()
    )
    manager_client.post(f"/integrations/{connection.pk}/disconnect/")
    with schema_context(tenant.schema_name):
        connection.refresh_from_db()
    assert (connection.status, connection.credentials_encrypted) == ("disconnected", "")


def test_location_mapping_is_saved(tenant, manager_client, shopify_fake, warehouse, sync_jobs):
    shopify_connect(manager_client, shopify_fake, sync_jobs=sync_jobs)
    connection = connection_of(tenant)
    manager_client.post(f"/integrations/{connection.pk}/locations/", {"loc_0": ""})
    assert connection_of(tenant).settings["locations"] == []
    manager_client.post(f"/integrations/{connection.pk}/locations/", {"loc_0": str(warehouse.pk)})
    assert connection_of(tenant).settings["locations"] == [
        {"warehouse_id": warehouse.pk, "location_id": "gid://shopify/Location/1"}
    ]


@pytest.mark.parametrize("role", ["clerk", "viewer"])
def test_only_managers_see_integrations(tenant, users, role):
    connection = _connection(tenant)
    client = TenantClient(tenant)
    client.force_login(users[role])
    assert client.get("/integrations/").status_code == 403
    assert client.get(f"/integrations/{connection.pk}/").status_code == 403
    assert client.post(f"/integrations/{connection.pk}/sync/products/").status_code == 403


def test_unknown_connection_is_404(manager_client):
    assert manager_client.get("/integrations/999999/").status_code == 404


def test_a_sync_failing_again_notifies_once_until_it_recovers(tenant, users, sync_jobs):
    from apps.integrations.sync import sync_run_start

    connection = _connection(tenant)  # no warehouse mapped: the stock push fails
    with schema_context(tenant.schema_name):
        for _ in range(3):
            with sync_jobs():
                sync_run_start(connection=connection, entity="stock")
        assert SyncRun.objects.filter(state="failed").count() == 3
        notes = Notification.objects.filter(recipient=users["manager"], kind="sync_failed")
        assert notes.count() == 1
        assert "push stock" in notes.get().title
        # A clean run recovers the sync; the next failure is a new condition.
        from apps.inventory.models import Location, Warehouse

        wh = Warehouse.objects.create(code="W2", name="Second")
        Location.objects.create(warehouse=wh, code="A1")
        connection.settings = {"locations": [{"warehouse_id": wh.pk, "location_id": "gid://x/1"}]}
        connection.save()
        with sync_jobs():
            sync_run_start(connection=connection, entity="stock")
        assert SyncRun.objects.latest("id").state == "succeeded"
        connection.settings = {}
        connection.save()
        with sync_jobs():
            sync_run_start(connection=connection, entity="stock")
        assert notes.count() == 2


def test_outbound_webhooks_are_listed_with_their_health_in_fixed_queries(
    tenant, manager_client, django_assert_max_num_queries
):
    import uuid

    from apps.api.models import WebhookDelivery
    from apps.api.webhooks.services import webhook_endpoint_create

    def endpoint(name, states, **fields):
        with schema_context(tenant.schema_name):
            ep = webhook_endpoint_create(
                url=f"https://{name}.example.com/hook", events=["stock.changed"]
            )
            for state in states:
                WebhookDelivery.objects.create(
                    endpoint=ep, event_id=uuid.uuid4(), event="stock.changed", payload={},
                    state=state, last_error="Connection refused" if state != "succeeded" else "",
                )  # fmt: skip
            for key, value in fields.items():
                setattr(ep, key, value)
            ep.save()
        return ep

    assert "No outbound webhooks" in manager_client.get("/integrations/").content.decode()
    endpoint("good", ["failed", "succeeded"])
    with django_assert_max_num_queries(15):
        one = manager_client.get("/integrations/").content.decode()
    assert "https://good.example.com/hook" in one and "Healthy" in one
    endpoint("down", ["succeeded", "failed", "failed"], consecutive_failures=2)
    endpoint("off", ["gave_up"], is_active=False, disabled_reason="Disabled after 20 failures.")
    endpoint("new", [])
    for i in range(8):
        endpoint(f"more{i}", ["succeeded"])
    with django_assert_max_num_queries(15):
        many = manager_client.get("/integrations/").content.decode()
    assert "Failing" in many and "2 failures in a row" in many and "Connection refused" in many
    assert "Disabled after 20 failures." in many and "No deliveries yet" in many
    assert "https://more7.example.com/hook" in many
