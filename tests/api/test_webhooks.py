import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.api.models import WebhookDelivery, WebhookEndpoint
from apps.api.webhooks import services
from apps.api.webhooks.services import (
    BACKOFF,
    DISABLE_AFTER,
    WebhookError,
    deliveries_send_due,
    webhook_endpoint_create,
    webhook_event_emit,
    webhook_redeliver,
)
from apps.api.webhooks.signing import verify
from apps.notifications.models import Notification


class Receiver:
    """A real HTTP server on 127.0.0.1 that records requests and answers a chosen status."""

    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok" if receiver.status < 300 else b"nope")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def clock(monkeypatch):
    now = {"t": dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)}
    monkeypatch.setattr(services, "_now", lambda: now["t"])
    return now


def independent_check(secret: str, headers: dict, body: bytes) -> bool:
    """Verification written from the docs, not with our module."""
    fields = dict(p.split("=", 1) for p in headers["Stockroom-Signature"].split(","))
    mac = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, fields["v1"])


def test_event_is_delivered_signed_to_subscribers_only(in_tenant, receiver, sync_jobs):
    endpoint = webhook_endpoint_create(url=receiver.url, events=["stock.changed"])
    webhook_endpoint_create(url=receiver.url + "/other", events=["order.created"])
    with sync_jobs():
        assert webhook_event_emit(event="stock.changed", data={"sku": "MUG-1", "on_hand": "7"}) == 1
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert independent_check(endpoint.secret, headers, body)
    assert verify(endpoint.secret, body, headers["Stockroom-Signature"])
    assert not verify("whsec_wrong", body, headers["Stockroom-Signature"])
    payload = json.loads(body)
    assert payload["type"] == "stock.changed" and payload["data"] == {
        "sku": "MUG-1",
        "on_hand": "7",
    }
    assert headers["Stockroom-Event"] == "stock.changed"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.last_status_code, delivery.attempts) == ("succeeded", 200, 1)


def test_old_signatures_are_refused_by_the_verifier():
    from apps.api.webhooks.signing import sign

    header = sign("s", b"{}", timestamp=1_000_000)
    assert verify("s", b"{}", header, now=1_000_100)
    assert not verify("s", b"{}", header, now=1_000_000 + 301)


def test_failures_retry_with_backoff_then_give_up(in_tenant, receiver, clock):
    receiver.status = 500
    webhook_endpoint_create(url=receiver.url, events=["stock.low"])
    webhook_event_emit(event="stock.low", data={})
    delivery = WebhookDelivery.objects.get()
    for attempt, wait in enumerate(BACKOFF, start=1):
        assert deliveries_send_due() == 0
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("failed", attempt)
        assert delivery.next_attempt_at == clock["t"] + wait
        assert deliveries_send_due() == 0 and len(receiver.requests) == attempt  # not yet due
        clock["t"] += wait
    deliveries_send_due()
    delivery.refresh_from_db()
    assert delivery.state == "gave_up" and delivery.next_attempt_at is None
    receiver.status = 200
    webhook_redeliver(delivery=delivery)
    assert deliveries_send_due() == 1
    delivery.refresh_from_db()
    assert delivery.state == "succeeded"


def test_endpoint_turns_off_after_repeated_failures_and_managers_are_told(
    in_tenant, users, receiver
):
    receiver.status = 503
    endpoint = webhook_endpoint_create(url=receiver.url, events=["stock.changed"])
    for _ in range(DISABLE_AFTER):
        webhook_event_emit(event="stock.changed", data={})
    deliveries_send_due()
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "15 failed deliveries" in endpoint.disabled_reason
    assert len(receiver.requests) == DISABLE_AFTER
    told = Notification.objects.filter(kind="webhook_disabled")
    assert {n.recipient.role for n in told} == {Role.OWNER, Role.MANAGER}
    assert webhook_event_emit(event="stock.changed", data={}) == 0  # off: nothing queued


def test_unreachable_receiver_is_a_failed_attempt_not_a_crash(in_tenant):
    webhook_endpoint_create(url="http://127.0.0.1:9/nothing-listens", events=["stock.changed"])
    webhook_event_emit(event="stock.changed", data={})
    deliveries_send_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and delivery.last_error


def test_private_and_plain_http_addresses_are_refused_in_production(in_tenant, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(WebhookError, match="https"):
        webhook_endpoint_create(url="http://example.com/x", events=["stock.changed"])
    with pytest.raises(WebhookError, match="private network"):
        webhook_endpoint_create(url="https://127.0.0.1/x", events=["stock.changed"])
    with pytest.raises(WebhookError, match="Unknown event"):
        webhook_endpoint_create(url="https://example.com/x", events=["nope"])


def test_webhook_pages(tenant, tenant_client, users, receiver):
    tenant_client.force_login(users[Role.MANAGER])
    response = tenant_client.post(
        "/developers/webhooks/",
        {"url": receiver.url, "events": ["order.created"], "is_active": "on"},
    )
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        endpoint = WebhookEndpoint.objects.get()
    secret = tenant_client.get(f"/developers/webhooks/{endpoint.pk}/secret/").content.decode()
    with schema_context(tenant.schema_name):
        assert endpoint.secret in secret
    bad = tenant_client.post("/developers/webhooks/", {"url": "not a url", "events": []})
    assert bad.status_code == 422 and "Enter a valid URL" in bad.content.decode()
    page = tenant_client.get(f"/developers/webhooks/{endpoint.pk}/").content.decode()
    assert "No deliveries" in page
    tenant_client.force_login(users[Role.CLERK])
    assert tenant_client.get("/developers/webhooks/").status_code == 403


def test_finished_deliveries_leave_the_log_after_90_days(in_tenant, clock):
    from apps.core.management.commands.ensure_schedules import SCHEDULES

    assert any("webhook_deliveries_purge" in s[2] for s in SCHEDULES)
    endpoint = webhook_endpoint_create(url="https://hooks.example.com/x", events=["stock.low"])
    states = WebhookDelivery.State
    for state in (states.SUCCEEDED, states.GAVE_UP, states.FAILED, states.PENDING):
        webhook_event_emit(event="stock.low", data={})
        WebhookDelivery.objects.filter(state=states.PENDING).update(state=state)
    WebhookDelivery.objects.update(created_at=clock["t"] - dt.timedelta(days=91))
    webhook_event_emit(event="stock.low", data={})  # recent: kept
    WebhookDelivery.objects.filter(created_at__gt=clock["t"] - dt.timedelta(days=1)).update(
        state=states.SUCCEEDED
    )
    assert services.webhook_deliveries_purge() == 2
    left = sorted(WebhookDelivery.objects.values_list("state", flat=True))
    assert left == sorted([states.FAILED, states.PENDING, states.SUCCEEDED])
    assert endpoint.deliveries.count() == 3


def test_send_test_button_sends_to_that_webhook_only(
    tenant, tenant_client, users, receiver, sync_jobs
):
    with schema_context(tenant.schema_name):
        endpoint = webhook_endpoint_create(url=receiver.url, events=["order.created"])
        webhook_endpoint_create(url=receiver.url + "/other", events=["webhook.test"])
    tenant_client.force_login(users[Role.MANAGER])
    with sync_jobs():
        response = tenant_client.post(f"/developers/webhooks/{endpoint.pk}/test/")
    assert response.status_code == 302
    assert [h["Stockroom-Event"] for h, _ in receiver.requests] == ["webhook.test"]
    with schema_context(tenant.schema_name):
        delivery = WebhookDelivery.objects.get()
        assert delivery.endpoint_id == endpoint.pk and delivery.event == "webhook.test"
        endpoint.refresh_from_db()
        assert "webhook.test" in endpoint.events
    tenant_client.force_login(users[Role.CLERK])
    assert tenant_client.post(f"/developers/webhooks/{endpoint.pk}/test/").status_code == 403
