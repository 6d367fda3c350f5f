"""Catalog over the API: products (variants nested), variants, categories, suppliers."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.models import Category, Product, Supplier, Variant
from apps.catalog.services import category_create, product_create, supplier_create

from .conftest import Api, key_for


def put(api: Api, path, data, **headers):
    return api._call("put", path, data, **headers)


def delete(api: Api, path, **headers):
    return api._call("delete", path, **headers)


def test_create_product_with_variants_generated_and_typed_skus(api_as, tenant):
    with schema_context(tenant.schema_name):
        shoes = category_create(name="Shoes")
    api = api_as(Role.MANAGER, ["catalog:write"])
    response = api.post(
        "/api/products/",
        {
            "name": "Trail runner",
            "category": shoes.pk,
            "brand": "Fleet",
            "tags": ["Outdoor", "running"],
            "new_variants": [
                {"sku": "run-42", "barcode": "4006381333931", "sale_price": "89.90",
                 "options": {"size": "42"}},
                {"options": {"size": "43"}, "sale_price": "89.90"},
            ],
        },
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json_body
    assert body["tags"] == ["outdoor", "running"] and response["ETag"]
    skus = sorted(v["sku"] for v in body["variants"])
    assert skus[0] == "RUN-42" and skus[1].startswith("SHO-TRAI-43-")
    assert {v["sale_price"] for v in body["variants"]} == {"89.90"}
    listed = api.get("/api/products/?search=run-42").json_body
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]


def test_validation_errors_use_the_error_format_and_write_nothing(api_as, tenant):
    with schema_context(tenant.schema_name):
        product_create(name="Lamp", sku="LAMP-1")
    api = api_as(Role.MANAGER, ["catalog:write"])
    taken = api.post("/api/products/", {"name": "Other", "new_variants": [{"sku": "lamp-1"}]})
    assert taken.status_code == 400
    assert taken.json_body["error"]["fields"] == {
        "sku": ["SKU LAMP-1 is already used by another variant."]
    }
    bad_barcode = api.post(
        "/api/products/", {"name": "Other", "new_variants": [{"barcode": "4006381333932"}]}
    )
    assert bad_barcode.status_code == 400
    assert "check digit should be 1" in bad_barcode.json_body["error"]["message"]
    second_bad = api.post(
        "/api/products/",
        {"name": "Two", "new_variants": [{"sku": "TWO-1"}, {"sku": "LAMP-1"}]},
    )
    assert second_bad.status_code == 400
    no_name = api.post("/api/products/", {"name": ""})
    assert no_name.status_code == 400 and "name" in no_name.json_body["error"]["fields"]
    with schema_context(tenant.schema_name):
        assert list(Product.objects.values_list("name", flat=True)) == ["Lamp"]  # all or nothing


def test_etag_if_match_guards_updates(api_as, tenant):
    with schema_context(tenant.schema_name):
        product = product_create(name="Lamp", sku="LAMP-1")
    api = api_as(Role.MANAGER, ["catalog:write"])
    url = f"/api/products/{product.pk}/"
    first = api.get(url)
    etag = first["ETag"]
    ok = api.patch(url, {"name": "Desk lamp"}, HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok.json_body["name"] == "Desk lamp"
    assert ok["ETag"] != etag
    stale = api.patch(url, {"name": "Floor lamp"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json_body["error"]["code"] == "precondition_failed"
    stale_delete = delete(api, url, HTTP_IF_MATCH=etag)
    assert stale_delete.status_code == 412
    full = put(
        api, url, {"name": "Desk lamp", "unit": "each", "tags": ["a"]}, HTTP_IF_MATCH=ok["ETag"]
    )
    assert full.status_code == 200, full.content
    with schema_context(tenant.schema_name):
        product.refresh_from_db()
        assert product.name == "Desk lamp" and product.tags == ["a"] and product.is_active


def test_delete_archives_and_keeps_the_product(api_as, tenant):
    with schema_context(tenant.schema_name):
        product = product_create(name="Lamp", sku="LAMP-1")
    api = api_as(Role.MANAGER, ["catalog:write"])
    assert delete(api, f"/api/products/{product.pk}/").status_code == 204
    with schema_context(tenant.schema_name):
        assert Product.objects.get(pk=product.pk).is_active is False
    archived = api.get("/api/products/?is_active=false").json_body
    assert [p["id"] for p in archived["results"]] == [product.pk]


def test_variants_endpoint_create_update_and_errors(api_as, tenant):
    with schema_context(tenant.schema_name):
        product = product_create(name="Lamp", sku="LAMP-1")
    api = api_as(Role.MANAGER, ["catalog:write"])
    created = api.post(
        "/api/variants/",
        {"product": product.pk, "sku": "lamp-2", "sale_price": "12.50", "reorder_point": "4"},
    )
    assert created.status_code == 201, created.content
    assert created.json_body["sku"] == "LAMP-2" and created.json_body["reorder_point"] == "4.000"
    vid = created.json_body["id"]
    patched = api.patch(f"/api/variants/{vid}/", {"height_cm": "12.5", "barcode": "036000291452"})
    assert patched.status_code == 200 and patched.json_body["height_cm"] == "12.50"
    dup = api.patch(f"/api/variants/{vid}/", {"sku": "LAMP-1"})
    assert dup.status_code == 400 and "sku" in dup.json_body["error"]["fields"]
    negative = api.patch(f"/api/variants/{vid}/", {"sale_price": "-1"})
    assert negative.status_code == 400
    orphan = api.post("/api/variants/", {"sku": "X-1"})
    assert orphan.status_code == 400 and "product" in orphan.json_body["error"]["fields"]
    with schema_context(tenant.schema_name):
        variant = Variant.objects.get(pk=vid)
        assert variant.sku == "LAMP-2" and variant.sale_price == Decimal("12.50")
    assert api.get("/api/variants/?barcode=036000291452").json_body["count"] == 1


def test_categories_create_move_and_delete(api_as, tenant):
    api = api_as(Role.MANAGER, ["catalog:write"])
    shoes = api.post("/api/categories/", {"name": "Shoes"}).json_body
    trail = api.post("/api/categories/", {"name": "Trail", "parent": shoes["id"]}).json_body
    assert trail["path"] == f"/{shoes['id']}/{trail['id']}/" and trail["depth"] == 1
    loop = api.patch(f"/api/categories/{shoes['id']}/", {"parent": trail["id"]})
    assert loop.status_code == 400 and "inside itself" in loop.json_body["error"]["message"]
    moved = api.patch(f"/api/categories/{trail['id']}/", {"parent": None})
    assert moved.status_code == 200 and moved.json_body["path"] == f"/{trail['id']}/"
    dup = api.post("/api/categories/", {"name": "shoes"})
    assert dup.status_code == 400
    assert delete(api, f"/api/categories/{shoes['id']}/").status_code == 204
    with schema_context(tenant.schema_name):
        assert list(Category.objects.values_list("name", flat=True)) == ["Trail"]


def test_suppliers_crud(api_as, tenant):
    api = api_as(Role.MANAGER, ["catalog:write"])
    created = api.post(
        "/api/suppliers/", {"name": "Acme", "currency": "eur", "email": "o@acme.test"}
    )
    assert created.status_code == 201 and created.json_body["currency"] == "EUR"
    sid = created.json_body["id"]
    dup = api.post("/api/suppliers/", {"name": "acme"})
    assert dup.status_code == 400 and "already a supplier" in dup.json_body["error"]["message"]
    bad = api.patch(f"/api/suppliers/{sid}/", {"currency": "ZZZ"})
    assert bad.status_code == 400 and "currency" in bad.json_body["error"]["fields"]
    ok = api.patch(f"/api/suppliers/{sid}/", {"payment_terms_days": 60})
    assert ok.status_code == 200 and ok.json_body["payment_terms_days"] == 60
    assert delete(api, f"/api/suppliers/{sid}/").status_code == 204
    with schema_context(tenant.schema_name):
        assert Supplier.objects.get(pk=sid).is_active is False


def test_roles_and_scopes(api_as, tenant):
    with schema_context(tenant.schema_name):
        product = product_create(name="Lamp", sku="LAMP-1")
    clerk = api_as(Role.CLERK, ["catalog:write"])
    assert clerk.get("/api/products/").status_code == 200
    assert clerk.post("/api/products/", {"name": "X"}).status_code == 403
    assert clerk.patch(f"/api/products/{product.pk}/", {"name": "X"}).status_code == 403
    read_only = api_as(Role.OWNER, ["catalog:read"])
    assert read_only.post("/api/suppliers/", {"name": "X"}).status_code == 403
    no_catalog = api_as(Role.OWNER, ["inventory:read"])
    assert no_catalog.get("/api/products/").status_code == 403


def test_other_companies_products_are_404(api_as, tenant, other_tenant, other_tenant_client):
    from tests.conftest import make_user

    with schema_context(other_tenant.schema_name):
        secret = product_create(name="Secret", sku="BETA-SECRET")
        supplier = supplier_create(name="Beta supplier")
    api = api_as(Role.OWNER)
    assert api.get(f"/api/products/{secret.pk}/").status_code == 404
    assert api.patch(f"/api/products/{secret.pk}/", {"name": "Mine"}).status_code == 404
    assert api.get(f"/api/suppliers/{supplier.pk}/").status_code == 404
    assert api.get("/api/products/").json_body["count"] == 0
    beta_owner = make_user(other_tenant, Role.OWNER, email="boss@beta.test")
    beta = Api(
        other_tenant_client,
        HTTP_AUTHORIZATION=f"Api-Key {key_for(other_tenant, beta_owner, ['catalog:read'])}",
    )
    assert beta.get(f"/api/products/{secret.pk}/").json_body["name"] == "Secret"


@pytest.mark.parametrize(
    "path", ["/api/products/", "/api/variants/", "/api/categories/", "/api/suppliers/"]
)
def test_list_query_budget_does_not_grow(api_as, tenant, path):
    api = api_as(Role.VIEWER, ["catalog:read"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(path + "?limit=100").status_code == 200
        return len(ctx.captured_queries)

    def add(n: int, start: int) -> None:
        with schema_context(tenant.schema_name):
            for i in range(start, start + n):
                category = category_create(name=f"Cat {i}")
                product = product_create(name=f"P{i}", sku=f"P-{i}", category=category)
                product.variants.create(sku=f"P-{i}-B")
                supplier_create(name=f"Supplier {i}")

    add(1, 0)
    count()
    one = count()
    add(30, 1)
    assert count() == one
