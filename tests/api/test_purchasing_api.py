"""Purchase orders over the API: the same services and approval rule as the screens."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.api.models import WebhookDelivery
from apps.api.webhooks.services import webhook_endpoint_create
from apps.inventory.models import StockLevel
from apps.purchasing.models import PurchaseOrder
from tests.purchasing.conftest import buying, make_order  # noqa: F401 - fixtures


@pytest.fixture
def shop(tenant, buying):  # noqa: F811
    return buying


def _draft(api, shop, **extra):
    return api.post(
        "/api/purchase-orders/",
        {
            "supplier": shop["supplier"].pk,
            "warehouse": shop["warehouse"].pk,
            "lines": [
                {"variant": shop["bolt"].pk, "quantity": "10"},
                {"variant": shop["nut"].pk, "quantity": "24", "unit_cost": "1.50"},
            ],
            "charges": [{"amount": "12.00", "kind": "freight", "allocation": "quantity"}],
            **extra,
        },
    )


def test_create_reads_supplier_items_and_totals(api_as, shop):
    response = _draft(api_as(Role.CLERK, ["purchasing:write"]), shop, notes="Rush")
    assert response.status_code == 201, response.content
    body = response.json_body
    assert body["number"].startswith("PO-") and body["status"] == "draft"
    bolt, nut = body["lines"]
    assert (bolt["sku"], bolt["supplier_sku"], bolt["unit_cost"]) == ("BOLT-1", "AC-BOLT", "5.0000")
    assert nut["unit_cost"] == "1.5000"
    # 10 × 5 + 24 × 1.50 = 86, plus 12 freight.
    assert (body["subtotal"], body["charges_total"], body["total"]) == ("86.00", "12.00", "98.00")
    assert response["ETag"]


def test_validation_errors_name_the_fields_and_write_nothing(api_as, shop, tenant):
    api = api_as(Role.CLERK, ["purchasing:write"])
    bad = api.post(
        "/api/purchase-orders/",
        {"supplier": shop["supplier"].pk, "warehouse": 999999, "lines": []},
    )
    assert bad.status_code == 400
    assert set(bad.json_body["error"]["fields"]) >= {"warehouse", "lines"}
    negative = _draft(api, shop, lines=[{"variant": shop["bolt"].pk, "quantity": "-1"}])
    assert negative.status_code == 400, negative.content
    assert negative.json_body["error"]["message"]
    with schema_context(tenant.schema_name):
        assert not PurchaseOrder.objects.exists()


def test_submit_above_threshold_waits_for_a_manager_then_receive(api_as, shop, tenant):
    clerk = api_as(Role.CLERK, ["purchasing:write"])
    big = _draft(
        clerk, shop, lines=[{"variant": shop["bolt"].pk, "quantity": "300"}], charges=[]
    ).json_body
    submitted = clerk.post(f"/api/purchase-orders/{big['id']}/submit/")
    assert submitted.json_body["status"] == "awaiting_approval"
    denied = clerk.post(f"/api/purchase-orders/{big['id']}/approve/")
    assert denied.status_code == 403
    manager = api_as(Role.MANAGER, ["purchasing:write"])
    approved = manager.post(f"/api/purchase-orders/{big['id']}/approve/", {"comment": "ok"})
    assert approved.status_code == 200 and approved.json_body["status"] == "approved"

    line = approved.json_body["lines"][0]["id"]
    received = clerk.post(
        f"/api/purchase-orders/{big['id']}/receive/",
        {"location": shop["shelf"].pk, "items": [{"line": line, "quantity": "120"}]},
    )
    assert received.status_code == 200, received.content
    assert received.json_body["status"] == "partially_received"
    assert received.json_body["lines"][0]["received_quantity"] == "120.000"
    with schema_context(tenant.schema_name):
        level = StockLevel.objects.get(variant=shop["bolt"], location=shop["shelf"])
        assert level.on_hand == Decimal(120)

    over = clerk.post(
        f"/api/purchase-orders/{big['id']}/receive/",
        {"location": shop["shelf"].pk, "items": [{"line": line, "quantity": "500"}]},
    )
    assert over.status_code == 400 and "over-receipt" in over.json_body["error"]["message"]


def test_stale_if_match_is_refused_with_412(api_as, shop):
    api = api_as(Role.MANAGER, ["purchasing:write"])
    created = _draft(api, shop)
    order_id, etag = created.json_body["id"], created["ETag"]
    change = {"lines": [{"variant": shop["bolt"].pk, "quantity": "4"}]}
    first = api._call("put", f"/api/purchase-orders/{order_id}/", change, HTTP_IF_MATCH=etag)
    assert first.status_code == 200 and first.json_body["subtotal"] == "20.00"
    stale = api._call("put", f"/api/purchase-orders/{order_id}/", change, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412


def test_scopes_and_other_companies(api_as, shop, other_tenant_client):
    read_only = api_as(Role.OWNER, ["purchasing:read"])
    assert _draft(read_only, shop).status_code == 403
    order = _draft(api_as(Role.OWNER, ["purchasing:write"]), shop).json_body
    assert read_only.get(f"/api/purchase-orders/{order['id']}/").status_code == 200
    other = other_tenant_client.get(f"/api/purchase-orders/{order['id']}/")
    assert other.status_code in (401, 403, 404)


def test_approval_and_receipt_emit_webhook_events(api_as, shop, tenant, users):
    with schema_context(tenant.schema_name):
        webhook_endpoint_create(
            url="https://hooks.example.com/po", events=["po.approved", "po.received"]
        )
    api = api_as(Role.OWNER, ["purchasing:write"])
    order = _draft(api, shop, charges=[]).json_body
    api.post(f"/api/purchase-orders/{order['id']}/submit/")  # under the threshold: approved
    api.post(
        f"/api/purchase-orders/{order['id']}/receive/",
        {
            "location": shop["shelf"].pk,
            "items": [{"line": order["lines"][0]["id"], "quantity": "10"}],
        },
    )
    with schema_context(tenant.schema_name):
        events = {d.event: d.payload["data"] for d in WebhookDelivery.objects.all()}
    assert events["po.approved"]["number"] == order["number"]
    assert events["po.received"]["lines"] == [
        {"variant": shop["bolt"].pk, "sku": "BOLT-1", "accepted": "10.000", "rejected": "0.000"}
    ]


def test_list_query_count_is_fixed(api_as, shop, make_order, tenant, django_assert_max_num_queries):  # noqa: F811
    api = api_as(Role.VIEWER, ["purchasing:read"])
    with schema_context(tenant.schema_name):
        make_order()
    with django_assert_max_num_queries(50) as one:
        assert api.get("/api/purchase-orders/").json_body["count"] == 1
    with schema_context(tenant.schema_name):
        for _ in range(15):
            make_order()
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = api.get("/api/purchase-orders/?status=draft").json_body
    assert body["count"] == 16 and len(body["results"][0]["lines"]) == 2
