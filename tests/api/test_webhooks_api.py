"""Webhook subscriptions over the API: the same services and rules as Developers → Webhooks."""

from __future__ import annotations

import uuid

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.api.models import IdempotencyRecord, WebhookDelivery, WebhookEndpoint
from apps.api.webhooks.services import webhook_endpoint_create
from apps.api.webhooks.signing import verify
from tests.api.conftest import Api, key_for
from tests.api.test_webhooks import Receiver, independent_check
from tests.conftest import make_user

HOOK = {"url": "https://hooks.example.com/stockroom", "events": ["order.created", "stock.low"]}


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _delivery(endpoint, state=WebhookDelivery.State.FAILED, event="order.created"):
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=uuid.uuid4(),
        event=event,
        payload={"id": "x", "type": event, "data": {"n": 1}},
        state=state,
        attempts=2,
        last_status_code=500,
        last_error="HTTP 500",
        last_response="nope",
    )


def test_owner_creates_a_webhook_and_sees_its_secret_once(api_as, tenant):
    api = api_as(Role.OWNER)
    created = api.post("/api/webhooks/", {**HOOK, "description": "ERP"})
    assert created.status_code == 201, created.content
    body = created.json_body
    assert body["url"] == HOOK["url"]
    assert body["events"] == ["order.created", "stock.low"]
    assert body["is_active"] is True and body["description"] == "ERP"
    with schema_context(tenant.schema_name):
        endpoint = WebhookEndpoint.objects.get()
        assert body["secret"] == endpoint.secret and body["secret"].startswith("whsec_")
        assert body["secret"] not in endpoint.secret_encrypted  # encrypted at rest
    again = api.get(f"/api/webhooks/{body['id']}/").json_body
    assert "secret" not in again and again["url"] == HOOK["url"]
    listed = api.get("/api/webhooks/").json_body
    assert listed["count"] == 1 and "secret" not in listed["results"][0]
    revealed = api.post(f"/api/webhooks/{body['id']}/secret/")
    assert revealed.status_code == 200 and revealed.json_body == {"secret": body["secret"]}


def test_update_turn_off_and_back_on_resets_failures_then_delete(api_as, tenant):
    api = api_as(Role.MANAGER)
    hook = api.post("/api/webhooks/", HOOK).json_body
    url = f"/api/webhooks/{hook['id']}/"
    changed = api.patch(url, {"events": ["stock.changed"], "is_active": False})
    assert changed.status_code == 200, changed.content
    assert changed.json_body["events"] == ["stock.changed"]
    assert changed.json_body["is_active"] is False
    assert changed.json_body["url"] == HOOK["url"]  # PATCH keeps what it does not name
    with schema_context(tenant.schema_name):
        WebhookEndpoint.objects.filter(pk=hook["id"]).update(
            consecutive_failures=15, disabled_reason="Turned off after 15 failed deliveries."
        )
    back_on = api.patch(url, {"is_active": True})
    assert back_on.json_body["is_active"] is True
    assert back_on.json_body["consecutive_failures"] == 0
    assert back_on.json_body["disabled_reason"] == ""
    replaced = api._call(
        "put", url, {"url": "https://other.example.com/h", "events": ["po.received"]}
    )
    assert replaced.status_code == 200, replaced.content
    assert replaced.json_body["url"] == "https://other.example.com/h"
    with schema_context(tenant.schema_name):
        _delivery(WebhookEndpoint.objects.get(pk=hook["id"]))
    assert api._call("delete", url).status_code == 204
    assert api.get(url).status_code == 404
    with schema_context(tenant.schema_name):
        assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({**HOOK, "url": "not a url"}, "url", "valid URL"),
        ({**HOOK, "url": "ftp://files.example.com/x"}, "url", "http(s)://"),
        ({**HOOK, "events": ["order.exploded"]}, "events", "not a valid choice"),
        ({**HOOK, "events": []}, "events", "may not be empty"),
        ({"url": HOOK["url"]}, "events", "required"),
        ({**HOOK, "events": "order.created"}, "events", "list"),
    ],
    ids=["not-a-url", "ftp", "unknown-event", "no-events", "missing-events", "events-not-list"],
)
def test_bad_input_is_a_400_with_the_field_and_creates_nothing(api_as, tenant, data, field, words):
    api = api_as(Role.OWNER)
    response = api.post("/api/webhooks/", data)
    assert response.status_code == 400, response.content
    error = response.json_body["error"]
    assert error["code"] == "invalid"
    assert words in " ".join(error["fields"][field])
    with schema_context(tenant.schema_name):
        assert not WebhookEndpoint.objects.exists()


def test_plain_http_and_private_addresses_are_refused_in_production(api_as, tenant, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    api = api_as(Role.OWNER)
    plain = api.post("/api/webhooks/", {**HOOK, "url": "http://hooks.example.com/x"})
    assert plain.status_code == 400
    assert plain.json_body["error"]["fields"] == {"url": ["Webhook addresses must use https://."]}
    private = api.post("/api/webhooks/", {**HOOK, "url": "https://127.0.0.1/x"})
    assert private.status_code == 400 and "private network" in private.json_body["error"]["message"]
    with schema_context(tenant.schema_name):
        assert not WebhookEndpoint.objects.exists()
    # An update is checked the same way and leaves the endpoint as it was.
    settings.WEBHOOK_ALLOW_PRIVATE = True
    created = api.post("/api/webhooks/", HOOK).json_body
    settings.WEBHOOK_ALLOW_PRIVATE = False
    refused = api.patch(f"/api/webhooks/{created['id']}/", {"url": "http://10.0.0.5/x"})
    assert refused.status_code == 400 and "url" in refused.json_body["error"]["fields"]
    with schema_context(tenant.schema_name):
        assert WebhookEndpoint.objects.get().url == HOOK["url"]


def test_delivery_log_is_paginated_filterable_and_shows_one_delivery(api_as, tenant):
    api = api_as(Role.OWNER)
    hook = api.post("/api/webhooks/", HOOK).json_body
    with schema_context(tenant.schema_name):
        endpoint = WebhookEndpoint.objects.get()
        failed = [_delivery(endpoint) for _ in range(3)]
        _delivery(endpoint, state=WebhookDelivery.State.SUCCEEDED)
        other = webhook_endpoint_create(url="https://b.example.com/h", events=["stock.low"])
        _delivery(other)
    log = api.get(f"/api/webhooks/{hook['id']}/deliveries/?limit=2")
    assert log.status_code == 200, log.content
    assert log.json_body["count"] == 4 and len(log.json_body["results"]) == 2
    assert log.json_body["next"] and "offset=2" in log.json_body["next"]
    assert {row["endpoint"] for row in log.json_body["results"]} == {hook["id"]}
    only_failed = api.get(f"/api/webhooks/{hook['id']}/deliveries/?state=failed").json_body
    assert {row["id"] for row in only_failed["results"]} == {d.pk for d in failed}
    assert only_failed["results"][0]["last_status_code"] == 500
    bad = api.get(f"/api/webhooks/{hook['id']}/deliveries/?state=lost")
    assert bad.status_code == 400 and "state" in bad.json_body["error"]["fields"]
    one = api.get(f"/api/webhooks/deliveries/{failed[0].pk}/").json_body
    assert one["payload"]["data"] == {"n": 1} and one["last_response"] == "nope"


def test_redeliver_sends_again_signed(api_as, tenant, receiver, sync_jobs):
    api = api_as(Role.OWNER)
    hook = api.post("/api/webhooks/", {**HOOK, "url": receiver.url}).json_body
    with schema_context(tenant.schema_name):
        delivery = _delivery(WebhookEndpoint.objects.get(), state=WebhookDelivery.State.GAVE_UP)
    with sync_jobs():
        response = api.post(f"/api/webhooks/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 202, response.content
    assert response.json_body["state"] == "pending"
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert independent_check(hook["secret"], headers, body)
    with schema_context(tenant.schema_name):
        delivery.refresh_from_db()
        assert delivery.state == WebhookDelivery.State.SUCCEEDED and delivery.attempts == 3


def test_test_event_goes_to_this_endpoint_only(api_as, tenant, receiver, sync_jobs):
    api = api_as(Role.OWNER)
    hook = api.post("/api/webhooks/", {**HOOK, "url": receiver.url}).json_body
    with schema_context(tenant.schema_name):
        webhook_endpoint_create(url=receiver.url + "/other", events=["webhook.test"])
    with sync_jobs():
        sent = api.post(f"/api/webhooks/{hook['id']}/test/")
    assert sent.status_code == 202 and sent.json_body["queued"] == 1
    assert [h["Stockroom-Event"] for h, _ in receiver.requests] == ["webhook.test"]
    headers, body = receiver.requests[0]
    assert verify(hook["secret"], body, headers["Stockroom-Signature"])
    assert api.get(f"/api/webhooks/{hook['id']}/").json_body["events"][-1] == "webhook.test"
    api.patch(f"/api/webhooks/{hook['id']}/", {"is_active": False})
    off = api.post(f"/api/webhooks/{hook['id']}/test/")
    assert off.json_body["queued"] == 0 and "off" in off.json_body["message"]


@pytest.mark.parametrize("role", [Role.CLERK, Role.VIEWER])
def test_clerks_and_viewers_cannot_see_or_change_webhooks(api_as, tenant, role):
    with schema_context(tenant.schema_name):
        endpoint = webhook_endpoint_create(**HOOK)
        delivery = _delivery(endpoint)
    api = api_as(role)
    for response in (
        api.get("/api/webhooks/"),
        api.get(f"/api/webhooks/{endpoint.pk}/deliveries/"),
        api.post("/api/webhooks/", HOOK),
        api.post(f"/api/webhooks/{endpoint.pk}/secret/"),
        api.post(f"/api/webhooks/deliveries/{delivery.pk}/redeliver/"),
    ):
        assert response.status_code == 403, response.content
        assert "api_keys.manage" in response.json_body["error"]["message"]


def test_api_key_needs_the_webhooks_scope(api_as, tenant):
    with schema_context(tenant.schema_name):
        endpoint = webhook_endpoint_create(**HOOK)
    nothing = api_as(Role.OWNER, ["catalog:write"])
    assert nothing.get("/api/webhooks/").status_code == 403
    reader = api_as(Role.OWNER, ["webhooks:read"])
    assert reader.get("/api/webhooks/").json_body["count"] == 1
    assert reader.get(f"/api/webhooks/{endpoint.pk}/deliveries/").status_code == 200
    for refused in (
        reader.post("/api/webhooks/", HOOK),
        reader.post(f"/api/webhooks/{endpoint.pk}/secret/"),
        reader.post(f"/api/webhooks/{endpoint.pk}/test/"),
    ):
        assert refused.status_code == 403
        assert "webhooks:write" in refused.json_body["error"]["message"]
    assert api_as(Role.OWNER, ["webhooks:write"]).post("/api/webhooks/", HOOK).status_code == 201


def test_another_companys_webhooks_are_404(api_as, tenant, other_tenant, other_tenant_client):
    with schema_context(tenant.schema_name):
        endpoint = webhook_endpoint_create(**HOOK)
        delivery = _delivery(endpoint)
    beta_owner = make_user(other_tenant, Role.OWNER, email="boss@beta.test")
    beta = Api(
        other_tenant_client,
        HTTP_AUTHORIZATION=f"Api-Key {key_for(other_tenant, beta_owner, ['webhooks:write'])}",
    )
    assert beta.get("/api/webhooks/").json_body["count"] == 0
    for response in (
        beta.get(f"/api/webhooks/{endpoint.pk}/"),
        beta.get(f"/api/webhooks/{endpoint.pk}/deliveries/"),
        beta.patch(f"/api/webhooks/{endpoint.pk}/", {"is_active": False}),
        beta.post(f"/api/webhooks/{endpoint.pk}/secret/"),
        beta.post(f"/api/webhooks/{endpoint.pk}/test/"),
        beta.get(f"/api/webhooks/deliveries/{delivery.pk}/"),
        beta.post(f"/api/webhooks/deliveries/{delivery.pk}/redeliver/"),
    ):
        assert response.status_code == 404, response.content
        assert response.json_body["error"]["code"] == "not_found"
    with schema_context(tenant.schema_name):
        assert WebhookEndpoint.objects.get().is_active


def test_create_with_idempotency_key_runs_once_and_keeps_the_secret_encrypted(api_as, tenant):
    api = api_as(Role.OWNER)
    first = api.post("/api/webhooks/", HOOK, HTTP_IDEMPOTENCY_KEY="hook-1")
    again = api.post("/api/webhooks/", HOOK, HTTP_IDEMPOTENCY_KEY="hook-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json_body == first.json_body  # the secret too: the client may have lost it
    other = api.post(
        "/api/webhooks/", {**HOOK, "url": "https://x.example.com/"}, HTTP_IDEMPOTENCY_KEY="hook-1"
    )
    assert other.status_code == 422
    with schema_context(tenant.schema_name):
        assert WebhookEndpoint.objects.count() == 1
        stored = bytes(IdempotencyRecord.objects.get(key="hook-1").body)
    assert first.json_body["secret"].encode() not in stored
