"""Shopify webhooks: verified before anything is read, stored once, processed by a job."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from apps.catalog.models import Variant
from apps.integrations.models import Connection, InboxEvent, SyncRun
from tests.integrations.conftest import connection_of, shopify_connect


@pytest.fixture
def connection(tenant, manager_client, shopify_fake, warehouse, sync_jobs):
    shopify_connect(manager_client, shopify_fake, sync_jobs=sync_jobs)
    return connection_of(tenant)


def _post(client, connection, body, headers):
    return client.post(
        f"/hooks/shopify/{connection.pk}/",
        data=body,
        content_type="application/json",
        headers=headers,
    )


def test_valid_webhook_is_stored_and_processed(
    tenant, tenant_client, connection, shopify_fake, sync_jobs
):
    product = shopify_fake.add_product("Red mug", [("MUG-RED", "9.90")])
    body, headers = shopify_fake.webhook(
        "products/update", shopify_fake.product_webhook_payload(product)
    )
    with sync_jobs():
        response = _post(tenant_client, connection, body, headers)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "duplicate": False}
    with schema_context(tenant.schema_name):
        event = InboxEvent.objects.get(connection=connection)
        assert (event.topic, event.state, event.body) == (
            "products/update",
            "processed",
            body.decode(),
        )
        assert Variant.objects.filter(sku="MUG-RED").exists()
        run = SyncRun.objects.get(connection=connection, entity="webhook")
        assert run.created == 1


def test_replayed_webhook_is_acknowledged_and_ignored(
    tenant, tenant_client, connection, shopify_fake, sync_jobs
):
    product = shopify_fake.add_product("Red mug", [("MUG-RED", "9.90")])
    body, headers = shopify_fake.webhook(
        "products/update", shopify_fake.product_webhook_payload(product), event_id="evt-1"
    )
    with sync_jobs():
        _post(tenant_client, connection, body, headers)
    with sync_jobs():
        replay = _post(tenant_client, connection, body, headers)
    assert replay.status_code == 200
    assert replay.json()["duplicate"] is True
    with schema_context(tenant.schema_name):
        assert InboxEvent.objects.filter(connection=connection).count() == 1
        assert SyncRun.objects.filter(connection=connection, entity="webhook").count() == 1


def test_bad_signature_is_refused_and_logged(
    tenant, tenant_client, connection, shopify_fake, caplog
):
    body, headers = shopify_fake.webhook("app/uninstalled", {"id": 1}, secret="not-the-secret")
    response = _post(tenant_client, connection, body, headers)
    assert response.status_code == 401
    assert "Rejected shopify webhook" in caplog.text
    with schema_context(tenant.schema_name):
        assert not InboxEvent.objects.exists()
        assert Connection.objects.get(pk=connection.pk).status == "connected"


def test_body_changed_after_signing_is_refused(tenant, tenant_client, connection, shopify_fake):
    body, headers = shopify_fake.webhook("app/uninstalled", {"id": 1})
    response = _post(tenant_client, connection, body.replace(b"1", b"2"), headers)
    assert response.status_code == 401


def test_missing_signature_is_refused(tenant, tenant_client, connection):
    response = _post(tenant_client, connection, b"{}", {"X-Shopify-Topic": "app/uninstalled"})
    assert response.status_code == 401


def test_app_uninstalled_disconnects_and_forgets_the_token(
    tenant, tenant_client, connection, shopify_fake, sync_jobs
):
    body, headers = shopify_fake.webhook("app/uninstalled", {"id": 1, "name": "Fake Store"})
    with sync_jobs():
        assert _post(tenant_client, connection, body, headers).status_code == 200
    with schema_context(tenant.schema_name):
        connection.refresh_from_db()
        assert connection.status == Connection.Status.DISCONNECTED
        assert connection.credentials_encrypted == ""
    again, headers = shopify_fake.webhook("products/update", {"id": 2})
    assert _post(tenant_client, connection, again, headers).status_code == 404


def test_refunds_webhook_is_kept_but_ignored(
    tenant, tenant_client, connection, shopify_fake, sync_jobs
):
    body, headers = shopify_fake.webhook("refunds/create", {"id": 509562969, "order_id": 1})
    with sync_jobs():
        assert _post(tenant_client, connection, body, headers).status_code == 200
    with schema_context(tenant.schema_name):
        assert InboxEvent.objects.get(connection=connection).state == "ignored"


def test_webhook_for_another_companys_connection_is_not_found(
    other_tenant_client, connection, shopify_fake
):
    body, headers = shopify_fake.webhook("app/uninstalled", {"id": 1})
    response = other_tenant_client.post(
        f"/hooks/shopify/{connection.pk}/",
        data=body,
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 404


def test_webhooks_wait_while_paused_and_run_on_resume(
    tenant, tenant_client, connection, shopify_fake, sync_jobs
):
    from apps.integrations.services import connection_pause, connection_resume

    product = shopify_fake.add_product("Red mug", [("MUG-RED", "9.90")])
    body, headers = shopify_fake.webhook(
        "products/update", shopify_fake.product_webhook_payload(product)
    )
    with schema_context(tenant.schema_name):
        connection_pause(connection=connection)
    with sync_jobs():
        assert _post(tenant_client, connection, body, headers).status_code == 200
    with schema_context(tenant.schema_name):
        assert InboxEvent.objects.get().state == "pending"
        assert not Variant.objects.filter(sku="MUG-RED").exists()
        with sync_jobs():
            connection_resume(connection=connection)
        assert InboxEvent.objects.get().state == "processed"
        assert Variant.objects.filter(sku="MUG-RED").exists()
