"""The sales API: /api/orders/ (list, create, confirm, fulfill, cancel) and /api/customers/."""

import json

from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.inventory.models import StockLevel
from apps.sales.models import SalesOrder
from apps.sales.services import LineInput, sales_order_confirm

from .conftest import D, receive


def test_create_confirm_fulfil_over_the_api(api_as, tenant, selling):
    with schema_context(tenant.schema_name):
        receive(selling["shirt"], selling["a2"], 5)
    api = api_as(Role.CLERK, ["sales:write"])
    created = api.post(
        "/api/orders/",
        {
            "customer": selling["customer"].pk,
            "lines": [
                {"sku": "shirt-m", "quantity": "3"},
                {"variant": selling["mug"].pk, "quantity": "1"},
            ],
        },
    )
    assert created.status_code == 201, created.content
    order = created.json_body
    assert order["status"] == "draft" and order["channel"] == "api" and order["total"] == "61.19"
    confirmed = api.post(f"/api/orders/{order['id']}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json_body["status"] == "confirmed"
    shirt, mug = confirmed.json_body["lines"]
    assert (shirt["allocated_quantity"], mug["backordered_quantity"]) == ("3.000", "1.000")
    again = api.post(f"/api/orders/{order['id']}/confirm/")
    assert again.status_code == 400 and "cannot be confirmed" in again.json_body["error"]["message"]

    shipped = api.post(
        f"/api/orders/{order['id']}/fulfill/",
        {
            "carrier": "ups",
            "tracking_number": "1Z1",
            "lines": [{"line": shirt["id"], "quantity": "2"}],
        },
    )
    assert shipped.status_code == 200, shipped.content
    body = shipped.json_body
    assert body["status"] == "partially_shipped" and body["lines"][0]["shipped_quantity"] == "2.000"
    assert body["shipments"][0]["tracking_url"].endswith("1Z1")
    with schema_context(tenant.schema_name):
        assert StockLevel.objects.get(variant=selling["shirt"]).on_hand == D(3)

    refused = api.post(f"/api/orders/{order['id']}/cancel/", {"reason": "too late"})
    assert refused.status_code == 400 and "create a return" in refused.json_body["error"]["message"]


def test_clerk_price_override_and_bad_input_are_400s_with_fields(api_as, selling):
    api = api_as(Role.CLERK, ["sales:write"])
    response = api.post(
        "/api/orders/",
        {
            "customer": selling["customer"].pk,
            "lines": [{"sku": "MUG-1", "quantity": "1", "unit_price": "1.00"}],
        },
    )
    assert response.status_code == 400 and "unit_price" in response.json_body["error"]["fields"]
    response = api.post(
        "/api/orders/",
        {"customer": selling["customer"].pk, "lines": [{"sku": "NOPE", "quantity": "1"}]},
    )
    assert response.status_code == 400
    response = api.post("/api/orders/", {"customer": selling["customer"].pk, "lines": []})
    assert response.status_code == 400


def test_scopes_and_roles(api_as, selling):
    reader = api_as(Role.OWNER, ["sales:read"])
    assert reader.get("/api/orders/").status_code == 200
    assert (
        reader.post("/api/orders/", {"customer": selling["customer"].pk, "lines": []}).status_code
        == 403
    )
    viewer = api_as(Role.VIEWER, ["sales:write"])
    assert (
        viewer.post("/api/orders/", {"customer": selling["customer"].pk, "lines": []}).status_code
        == 403
    )
    assert api_as(Role.OWNER, ["inventory:read"]).get("/api/orders/").status_code == 403


def test_cancel_releases_and_list_filters(api_as, tenant, selling, make_order):
    with schema_context(tenant.schema_name):
        receive(selling["mug"], selling["a2"], 5)
        order = sales_order_confirm(order=make_order(LineInput(selling["mug"].pk, D(2))))
        draft = make_order()
    api = api_as(Role.MANAGER, ["sales:write"])
    cancelled = api.post(f"/api/orders/{order.pk}/cancel/", {"reason": "duplicate"})
    assert cancelled.json_body["status"] == "cancelled"
    with schema_context(tenant.schema_name):
        assert StockLevel.objects.get(variant=selling["mug"]).reserved == 0
    listed = api.get("/api/orders/?status=draft").json_body
    assert [o["number"] for o in listed["results"]] == [draft.number]
    assert api.get("/api/orders/?search=MUG-1").json_body["count"] == 2


def test_order_list_and_detail_query_budget(
    api_as, tenant, selling, make_order, django_assert_max_num_queries
):
    with schema_context(tenant.schema_name):
        first = make_order()
    api = api_as(Role.VIEWER, ["sales:read"])
    api.get("/api/orders/")  # warm up (key lookup caches)
    with django_assert_max_num_queries(12):
        assert api.get("/api/orders/").status_code == 200
    with schema_context(tenant.schema_name):
        for _ in range(20):
            make_order()
    with django_assert_max_num_queries(12):
        assert api.get("/api/orders/").json_body["count"] == 21
    with django_assert_max_num_queries(14):
        detail = api.get(f"/api/orders/{first.pk}/")
    assert detail.status_code == 200 and detail["ETag"]


def test_customers_are_listed_with_their_order_count(api_as, tenant, selling, make_order):
    with schema_context(tenant.schema_name):
        make_order()
    body = api_as(Role.VIEWER, ["sales:read"]).get("/api/customers/?search=ada").json_body
    assert body["count"] == 1
    customer = body["results"][0]
    assert customer["name"] == "Ada Shop" and customer["order_count"] == 1
    assert customer["price_tier"] == "Trade"
    assert json.dumps(customer)  # plain JSON


def test_api_orders_are_per_company(api_as, tenant, other_tenant, selling, make_order):
    with schema_context(tenant.schema_name):
        make_order()
    with schema_context(other_tenant.schema_name):
        assert not SalesOrder.objects.exists()


def test_create_customer_checks_duplicates_like_the_screens(api_as, tenant, selling):
    from apps.sales.models import Customer

    api = api_as(Role.CLERK, ["sales:write"])
    created = api.post(
        "/api/customers/",
        {"name": "Bolt & Co", "email": "Buyer@Bolt.test", "phone": "+1 555 0100", "tags": ["vip"]},
    )
    assert created.status_code == 201, created.content
    assert (created.json_body["name"], created.json_body["tags"]) == ("Bolt & Co", ["vip"])
    twin = api.post("/api/customers/", {"name": "Bolt Company", "email": "buyer@bolt.test"})
    assert twin.status_code == 409
    assert twin.json_body["error"]["code"] == "duplicate_customer"
    assert twin.json_body["error"]["matches"] == [created.json_body["id"]]
    anyway = api.post(
        "/api/customers/",
        {"name": "Bolt Company", "email": "buyer@bolt.test", "allow_duplicate": True},
    )
    assert anyway.status_code == 201
    bad = api.post("/api/customers/", {"email": "not-an-email"})
    assert bad.status_code == 400 and set(bad.json_body["error"]["fields"]) >= {"name", "email"}
    assert (
        api_as(Role.VIEWER, ["sales:write"]).post("/api/customers/", {"name": "Nope"}).status_code
        == 403
    )
    with schema_context(tenant.schema_name):
        assert Customer.objects.filter(name__startswith="Bolt").count() == 2


def test_draft_edit_and_actions_refuse_a_stale_if_match(api_as, tenant, selling, make_order):
    with schema_context(tenant.schema_name):
        order = make_order()
    api = api_as(Role.CLERK, ["sales:write"])
    url = f"/api/orders/{order.pk}/"
    etag = api.get(url)["ETag"]
    edit = {"customer_reference": "PO-77", "lines": [{"sku": "MUG-1", "quantity": "4"}]}
    edited = api._call("put", url, edit, HTTP_IF_MATCH=etag)
    assert edited.status_code == 200, edited.content
    assert edited.json_body["customer_reference"] == "PO-77"
    assert [(line["sku"], line["quantity"]) for line in edited.json_body["lines"]] == [
        ("MUG-1", "4.000")
    ]
    assert edited["ETag"] != etag
    # Someone else's read is now stale: the edit and the confirm are refused, nothing changes.
    stale = api._call(
        "put", url, {"lines": [{"sku": "SHIRT-M", "quantity": "1"}]}, HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412 and stale.json_body["error"]["code"] == "precondition_failed"
    assert api.post(f"{url}confirm/", HTTP_IF_MATCH=etag).status_code == 412
    with schema_context(tenant.schema_name):
        order.refresh_from_db()
        assert order.status == SalesOrder.Status.DRAFT
        assert [line.variant.sku for line in order.lines.all()] == ["MUG-1"]
    confirmed = api.post(f"{url}confirm/", HTTP_IF_MATCH=edited["ETag"])
    assert confirmed.status_code == 200 and confirmed.json_body["status"] == "confirmed"
    # Only a draft is edited; bad lines are a 400 with the field.
    late = api._call("put", url, edit)
    assert late.status_code == 400 and "edited" in late.json_body["error"]["message"]
    with schema_context(tenant.schema_name):
        draft = make_order()
    empty = api._call("put", f"/api/orders/{draft.pk}/", {"lines": []})
    assert empty.status_code == 400 and "lines" in empty.json_body["error"]["fields"]
    viewer = api_as(Role.VIEWER, ["sales:write"])
    assert viewer._call("put", f"/api/orders/{draft.pk}/", edit).status_code == 403


def test_customer_edit_and_archive_over_the_api(api_as, tenant, selling):
    customer = selling["customer"]
    api = api_as(Role.CLERK, ["sales:write"])
    url = f"/api/customers/{customer.pk}/"
    etag = api.get(url)["ETag"]
    edited = api.patch(url, {"phone": "+44 20 7946 0000", "tags": ["vip"]}, HTTP_IF_MATCH=etag)
    assert edited.status_code == 200, edited.content
    body = edited.json_body
    assert (body["phone"], body["tags"], body["name"]) == ("+44 20 7946 0000", ["vip"], "Ada Shop")
    assert body["price_tier"] == "Trade"  # PATCH keeps what it does not name
    stale = api.patch(url, {"name": "Someone else"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    bad = api.patch(url, {"email": "not-an-email"})
    assert bad.status_code == 400 and "email" in bad.json_body["error"]["fields"]
    replaced = api._call("put", url, {"name": "Ada Shop Ltd", "email": "ada@shop.test"})
    assert replaced.status_code == 200 and replaced.json_body["name"] == "Ada Shop Ltd"
    with schema_context(tenant.schema_name):
        customer.refresh_from_db()
        assert (customer.name, customer.phone) == ("Ada Shop Ltd", "")  # PUT replaces
    assert api._call("delete", url).status_code == 204
    with schema_context(tenant.schema_name):
        customer.refresh_from_db()
        assert customer.is_active is False and customer.name == "Ada Shop Ltd"
    again = api._call("delete", url)
    assert again.status_code == 400 and "already archived" in again.json_body["error"]["message"]
    viewer = api_as(Role.VIEWER, ["sales:write"])
    assert viewer.patch(url, {"name": "X"}).status_code == 403
