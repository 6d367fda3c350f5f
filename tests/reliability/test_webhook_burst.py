"""The same signed Shopify webhook delivered 20 times at once: one inbox row, applied once.

Shopify retries deliveries and may send the same event in parallel. Twenty threads post the
identical signed body through the real view, each on its own database connection, against
committed rows (a test transaction would hide the connection from the other threads). The
unique (connection, event_id) constraint must turn 19 of them into acknowledged duplicates.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection as db_connection
from django_q.models import Task
from django_tenants.utils import schema_context

from apps.catalog.models import Product, Variant
from apps.integrations.inbox import inbox_process
from apps.integrations.models import Connection, InboxEvent, SyncRun
from apps.integrations.services import connection_create
from apps.tenants.models import Tenant
from tests.conftest import TenantClient

SECRET = "burst-webhook-secret"
DELIVERIES = 20


def _signed(payload: dict, event_id: str) -> tuple[bytes, dict]:
    body = json.dumps(payload).encode()
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    return body, {
        "X-Shopify-Topic": "products/update",
        "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
        "X-Shopify-Shop-Domain": "burst.myshopify.com",
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Webhook-Id": "wh-burst",
    }


def test_twenty_concurrent_copies_of_one_webhook_store_and_apply_once(
    django_db_setup, django_db_blocker, monkeypatch
):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)  # each thread processes what it queued, inline
    payload = {
        "id": 7001,
        "admin_graphql_api_id": "gid://shopify/Product/7001",
        "title": "Burst mug",
        "variants": [
            {
                "id": 8001,
                "admin_graphql_api_id": "gid://shopify/ProductVariant/8001",
                "sku": "BURST-MUG",
                "price": "4.50",
            }
        ],
    }
    body, headers = _signed(payload, "evt-burst-1")
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        with schema_context(tenant.schema_name):
            shop = connection_create(
                provider="shopify",
                name="Burst store",
                base_url="https://burst.myshopify.com",
                credentials={"access_token": "unused", "webhook_secret": SECRET},
            )
        gate = threading.Barrier(DELIVERIES)

        def deliver(_):
            client = TenantClient(tenant)
            gate.wait(timeout=30)  # all twenty leave together
            try:
                response = client.post(
                    f"/hooks/shopify/{shop.pk}/",
                    data=body,
                    content_type="application/json",
                    headers=headers,
                )
                return response.status_code, response.json()
            finally:
                db_connection.close()  # this thread's own connection

        try:
            with ThreadPoolExecutor(max_workers=DELIVERIES) as pool:
                answers = list(pool.map(deliver, range(DELIVERIES)))
            assert [status for status, _ in answers] == [200] * DELIVERIES, answers
            fresh = [data for _, data in answers if data == {"ok": True, "duplicate": False}]
            duplicates = [data for _, data in answers if data == {"ok": True, "duplicate": True}]
            assert (len(fresh), len(duplicates)) == (1, DELIVERIES - 1)
            with schema_context(tenant.schema_name):
                event = InboxEvent.objects.get(connection=shop)  # exactly one row
                assert (event.event_id, event.state) == ("evt-burst-1", "processed")
                run = SyncRun.objects.get(connection=shop, entity="webhook")
                assert (run.created, run.updated, run.failed) == (1, 0, 0)
                assert Variant.objects.filter(sku="BURST-MUG").count() == 1
                # Running the job again (a re-delivered task) changes nothing.
                assert inbox_process(event.pk) == "already processed"
                assert SyncRun.objects.filter(connection=shop).count() == 1
        finally:
            with schema_context(tenant.schema_name):
                product_ids = list(
                    Variant.objects.filter(sku="BURST-MUG").values_list("product_id", flat=True)
                )
                Connection.objects.filter(pk=shop.pk).delete()
                Variant.objects.filter(sku="BURST-MUG").delete()
                Product.objects.filter(pk__in=product_ids).delete()
            Task.objects.filter(name="Webhook products/update").delete()
