"""``?fields=`` sparse fields on the main resources' list and detail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.services import product_create
from apps.sales.models import Customer
from apps.sales.services import LineInput, sales_order_create


@pytest.fixture
def catalog(tenant):
    with schema_context(tenant.schema_name):
        mug = product_create(name="Mug", sku="MUG-1", brand="Acme", sale_price=Decimal("7.99"))
        customer = Customer.objects.create(name="Ada Shop", email="ada@shop.test")
        order = sales_order_create(
            customer=customer, lines=[LineInput(mug.variants.get().pk, Decimal(2))]
        )
    return {"mug": mug, "order": order}


def test_list_keeps_only_the_named_fields(api_as, catalog):
    api = api_as(Role.VIEWER, ["catalog:read"])
    body = api.get("/api/products/?fields=id,name").json_body
    assert body["count"] == 1
    assert body["results"] == [{"id": catalog["mug"].pk, "name": "Mug"}]


def test_nested_objects_stay_whole(api_as, catalog):
    api = api_as(Role.VIEWER, ["catalog:read"])
    (product,) = api.get("/api/products/?fields=variants").json_body["results"]
    assert list(product) == ["variants"]
    assert product["variants"][0]["sku"] == "MUG-1" and "sale_price" in product["variants"][0]


def test_detail_keeps_only_the_named_fields(api_as, catalog):
    api = api_as(Role.VIEWER, ["sales:read"])
    response = api.get(f"/api/orders/{catalog['order'].pk}/?fields=number, status ,total")
    assert response.status_code == 200
    assert response.json_body == {
        "number": catalog["order"].number,
        "status": "draft",
        "total": str(catalog["order"].total),
    }


def test_without_fields_everything_comes_back(api_as, catalog):
    api = api_as(Role.VIEWER, ["sales:read"])
    order = api.get(f"/api/orders/{catalog['order'].pk}/").json_body
    assert {"number", "lines", "customer", "shipments"} <= set(order)


@pytest.mark.parametrize(
    ("query", "unknown"),
    [("id,nmae", "nmae"), ("new_variants", "new_variants"), ("", None)],
)
def test_unknown_or_no_field_is_a_400_in_the_error_body(api_as, catalog, query, unknown):
    api = api_as(Role.VIEWER, ["catalog:read"])
    response = api.get(f"/api/products/?fields={query}")
    assert response.status_code == 400
    error = response.json_body["error"]
    assert error["code"] == "invalid"
    (message,) = error["fields"]["fields"]
    if unknown:
        assert f"Unknown field: {unknown}." in message
    else:
        assert message.startswith("Name a field.")
    assert "Choose from id, name," in message  # says what is possible


def test_writes_ignore_fields_and_answer_the_whole_object(api_as, catalog):
    api = api_as(Role.MANAGER, ["catalog:write"])
    response = api.post(
        "/api/products/?fields=id", {"name": "Plate", "new_variants": [{"sku": "PLATE-1"}]}
    )
    assert response.status_code == 201, response.content
    assert response.json_body["name"] == "Plate"
    assert response.json_body["variants"][0]["sku"] == "PLATE-1"


def test_other_main_resources_take_fields(api_as, catalog):
    api = api_as(Role.OWNER)
    for url, field in [
        ("/api/variants/", "sku"),
        ("/api/customers/", "email"),
        ("/api/orders/", "number"),
        ("/api/suppliers/", "name"),
        ("/api/warehouses/", "code"),
        ("/api/inventory/stock-items/", "on_hand"),
        ("/api/purchase-orders/", "number"),
    ]:
        response = api.get(f"{url}?fields={field}")
        assert response.status_code == 200, (url, response.content)
        assert all(list(row) == [field] for row in response.json_body["results"]), url
