from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.models import Product, Variant
from apps.inventory.models import Location, StockLevel, Warehouse
from apps.inventory.services import MoveLine, stock_moves_post


@pytest.fixture
def stock(tenant):
    with schema_context(tenant.schema_name):
        warehouse = Warehouse.objects.create(code="MAIN", name="Main")
        bin_ = Location.objects.create(warehouse=warehouse, code="A-01")
        product = Product.objects.create(name="Mug")
        variant = Variant.objects.create(product=product, sku="MUG-1", barcode="")
        stock_moves_post(
            lines=[MoveLine(variant.pk, bin_.pk, Decimal(10), Decimal(2))], kind="receipt"
        )
    return {"warehouse": warehouse, "bin": bin_, "variant": variant}


def test_stock_items_list_filters_and_shows_available(api_as, stock):
    api = api_as(Role.VIEWER, ["inventory:read"])
    body = api.get("/api/inventory/stock-items/?sku=MUG-1").json_body
    assert body["count"] == 1
    item = body["results"][0]
    assert item["variant"]["sku"] == "MUG-1" and item["location"]["warehouse"] == "MAIN"
    assert (item["on_hand"], item["available"]) == ("10.000", "10.000")
    assert api.get("/api/inventory/stock-items/?sku=NOPE").json_body["count"] == 0


def test_adjust_posts_through_the_ledger_and_409s_on_shortage(api_as, stock, tenant):
    api = api_as(Role.CLERK, ["inventory:write"])
    ok = api.post(
        "/api/inventory/adjust/",
        {"sku": "MUG-1", "location": stock["bin"].pk, "quantity": "-3", "reason": "damaged"},
    )
    assert ok.status_code == 201, ok.content
    assert ok.json_body[0]["balance"] == "7.000" and ok.json_body[0]["kind"] == "adjustment"
    short = api.post(
        "/api/inventory/adjust/",
        {
            "variant": stock["variant"].pk,
            "location": stock["bin"].pk,
            "quantity": "-50",
            "reason": "lost",
        },
    )
    assert short.status_code == 409
    assert short.json_body["error"]["code"] == "insufficient_stock"
    assert short.json_body["error"]["lines"][0]["available"] == "7.000"
    with schema_context(tenant.schema_name):
        assert StockLevel.objects.get(variant=stock["variant"]).on_hand == Decimal(7)


def test_adjust_validation_errors_name_the_fields(api_as, stock):
    api = api_as(Role.CLERK, ["inventory:write"])
    response = api.post(
        "/api/inventory/adjust/", {"sku": "NOPE", "location": 999999, "quantity": "x"}
    )
    assert response.status_code == 400
    fields = response.json_body["error"]["fields"]
    assert {"location", "quantity", "reason"} <= set(fields)


def test_viewer_cannot_adjust(api_as, stock):
    api = api_as(Role.VIEWER, ["inventory:write"])
    response = api.post(
        "/api/inventory/adjust/",
        {"sku": "MUG-1", "location": stock["bin"].pk, "quantity": "1", "reason": "found"},
    )
    assert response.status_code == 403


def test_moves_show_running_balance(api_as, stock):
    api = api_as(Role.VIEWER, ["inventory:read"])
    body = api.get(f"/api/inventory/moves/?variant={stock['variant'].pk}").json_body
    assert [(m["quantity"], m["balance"]) for m in body["results"]] == [("10.000", "10.000")]


def test_another_companys_objects_are_404_not_403(api_as, other_tenant, other_tenant_client, stock):
    from tests.api.conftest import Api, key_for
    from tests.conftest import make_user

    other_owner = make_user(other_tenant, Role.OWNER, email="boss@beta.test")
    other = Api(
        other_tenant_client, HTTP_X_API_KEY=key_for(other_tenant, other_owner, ["inventory:write"])
    )
    assert other.get(f"/api/warehouses/{stock['warehouse'].pk}/").status_code in (404,)
    response = other.post(
        "/api/inventory/adjust/",
        {
            "variant": stock["variant"].pk,
            "location": stock["bin"].pk,
            "quantity": "1",
            "reason": "found",
        },
    )
    assert response.status_code == 400  # unknown ids in this company, never someone else's stock


def test_transfer_lifecycle_over_the_api(api_as, stock, tenant):
    with schema_context(tenant.schema_name):
        east = Warehouse.objects.create(code="EAST", name="East")
        Location.objects.create(warehouse=east, code="TRANSIT", kind=Location.Kind.TRANSIT)
        dock = Location.objects.create(warehouse=east, code="DOCK")
        Location.objects.create(
            warehouse=stock["warehouse"], code="TRANSIT", kind=Location.Kind.TRANSIT
        )
    api = api_as(Role.CLERK, ["inventory:write"])
    created = api.post(
        "/api/inventory/transfers/",
        {
            "source": stock["warehouse"].pk,
            "destination": east.pk,
            "lines": [
                {
                    "variant": stock["variant"].pk,
                    "source_location": stock["bin"].pk,
                    "quantity": "4",
                }
            ],
        },
    )
    assert created.status_code == 201, created.content
    tid = created.json_body["id"]
    assert api.post(f"/api/inventory/transfers/{tid}/ship/").json_body["status"] == "shipped"
    received = api.post(f"/api/inventory/transfers/{tid}/receive/", {"location": dock.pk})
    assert received.json_body["status"] == "received"
    refused = api.post(f"/api/inventory/transfers/{tid}/cancel/")
    assert refused.status_code == 400 and refused.json_body["error"]["message"]
    with schema_context(tenant.schema_name):
        assert StockLevel.objects.get(location=dock).on_hand == Decimal(4)


def test_list_query_count_is_fixed(api_as, stock, tenant, django_assert_max_num_queries):
    api = api_as(Role.VIEWER, ["inventory:read"])
    with django_assert_max_num_queries(12) as one:
        assert api.get("/api/inventory/stock-items/").json_body["count"] == 1
    with schema_context(tenant.schema_name):
        product = Product.objects.create(name="Many")
        lines = []
        for i in range(30):
            v = Variant.objects.create(product=product, sku=f"MANY-{i}")
            lines.append(MoveLine(v.pk, stock["bin"].pk, Decimal(1), Decimal(1)))
        stock_moves_post(lines=lines, kind="receipt")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert api.get("/api/inventory/stock-items/").json_body["count"] == 31
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(api.get("/api/inventory/moves/").json_body["results"]) == 31


def test_low_stock_lists_what_is_at_or_below_its_reorder_point(api_as, stock, tenant):
    with schema_context(tenant.schema_name):
        Variant.objects.filter(pk=stock["variant"].pk).update(reorder_point=12, reorder_quantity=20)
    body = api_as(Role.VIEWER, ["inventory:read"]).get("/api/inventory/low-stock/").json_body
    (row,) = body["results"]
    assert (row["sku"], row["on_hand"], row["reorder_point"], row["warehouse"]) == (
        "MUG-1",
        "10.000",
        "12.000",
        None,
    )
    assert Decimal(row["suggested_quantity"]) >= 20
