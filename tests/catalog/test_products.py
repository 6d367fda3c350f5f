from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.barcodes import barcode_problem
from apps.catalog.models import Product, Variant
from apps.catalog.services import category_create, product_create

NEW = {
    "name": "Trail shoe",
    "unit": "each",
    "sku": "shoe-42",
    "barcode": "4006381333931",
    "cost_price": "12.5",
    "sale_price": "49.90",
}


def test_barcode_check_digits():
    assert barcode_problem("4006381333931") is None  # EAN-13
    assert barcode_problem("036000291452") is None  # UPC-A
    assert "should be 1, not 2" in barcode_problem("4006381333932")
    assert barcode_problem("ABC-123") is None  # Code 128
    assert "printable ASCII" in barcode_problem("naïve")


def test_manager_creates_a_product_with_its_first_variant(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.MANAGER])
    response = tenant_client.post("/products/new/", NEW)
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        variant = Variant.objects.get(sku="SHOE-42")
        assert variant.product.name == "Trail shoe" and variant.sale_price == Decimal("49.90")


def test_duplicate_sku_and_bad_barcode_are_explained(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.MANAGER])
    tenant_client.post("/products/new/", NEW)
    again = tenant_client.post("/products/new/", {**NEW, "barcode": ""})
    assert again.status_code == 422 and "SKU SHOE-42 is already used" in again.content.decode()
    bad = tenant_client.post("/products/new/", {**NEW, "sku": "OTHER", "barcode": "4006381333932"})
    assert bad.status_code == 422 and "check digit should be 1" in bad.content.decode()
    with schema_context(tenant.schema_name):
        assert Product.objects.count() == 1


def test_clerk_sees_products_but_cannot_create(tenant_client, users):
    tenant_client.force_login(users[Role.CLERK])
    assert tenant_client.get("/products/").status_code == 200
    assert tenant_client.post("/products/new/", NEW).status_code == 403


def test_add_variant_with_options(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.MANAGER])
    tenant_client.post("/products/new/", NEW)
    with schema_context(tenant.schema_name):
        product = Product.objects.get()
    response = tenant_client.post(
        f"/products/{product.pk}/variants/",
        {
            "sku": "shoe-43",
            "options": "size=43, colour=Blue",
            "cost_price": "12",
            "sale_price": "49",
        },
    )
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        assert Variant.objects.get(sku="SHOE-43").options == {"size": "43", "colour": "Blue"}
    bad = tenant_client.post(
        f"/products/{product.pk}/variants/",
        {"sku": "shoe-44", "options": "size 44", "cost_price": "1", "sale_price": "1"},
    )
    assert bad.status_code == 422 and "has no “=”" in bad.content.decode()


def test_product_search_by_sku_and_category_subtree(tenant_client, tenant, users):
    with schema_context(tenant.schema_name):
        shoes = category_create(name="Shoes")
        trail = category_create(name="Trail", parent=shoes)
        product_create(name="Runner", sku="RUN-1", category=trail)
        product_create(name="Sandal", sku="SAN-1")
    tenant_client.force_login(users[Role.VIEWER])
    found = tenant_client.get("/products/", {"q": "run-1"}).content.decode()
    assert "Runner" in found and "Sandal" not in found
    in_shoes = tenant_client.get("/products/", {"category": shoes.pk}).content.decode()
    assert "Runner" in in_shoes and "Sandal" not in in_shoes


def test_product_list_query_count_does_not_grow_with_rows(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.VIEWER])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert tenant_client.get("/products/", {"per_page": 100}).status_code == 200
        return len(ctx.captured_queries)

    with schema_context(tenant.schema_name):
        product_create(name="First", sku="F-1")
    count()
    one = count()
    with schema_context(tenant.schema_name):
        for n in range(40):
            product_create(name=f"Item {n}", sku=f"I-{n}")
    assert count() == one


def test_category_tree_counts_and_move(tenant, in_tenant):
    from apps.catalog.selectors import breadcrumbs, categories_with_counts
    from apps.catalog.services import CatalogError, category_move

    shoes = category_create(name="Shoes")
    trail = category_create(name="Trail", parent=shoes)
    sale = category_create(name="Sale")
    product_create(name="Runner", sku="RUN-1", category=trail)
    counts = {c.name: (c.own, c.total) for c in categories_with_counts()}
    assert counts == {"Shoes": (0, 1), "Trail": (1, 1), "Sale": (0, 0)}
    moved = category_move(category=trail, parent=sale)
    assert [c.name for c in breadcrumbs(moved)] == ["Sale", "Trail"] and moved.depth == 1
    assert {c.name: c.total for c in categories_with_counts()}["Sale"] == 1
    import pytest

    with pytest.raises(CatalogError, match="inside itself"):
        category_move(category=sale, parent=moved)


def test_suppliers_page_adds_and_refuses_duplicates(tenant_client, users):
    tenant_client.force_login(users[Role.MANAGER])
    data = {
        "name": "Acme Parts",
        "currency": "eur",
        "payment_terms_days": 30,
        "default_lead_time_days": 10,
    }
    assert tenant_client.post("/products/suppliers/", data).status_code == 302
    again = tenant_client.post("/products/suppliers/", {**data, "name": "acme parts"})
    assert (
        again.status_code == 422
        and "already a supplier called acme parts" in again.content.decode()
    )
    assert "Acme Parts" in tenant_client.get("/products/suppliers/").content.decode()
    tenant_client.force_login(users[Role.CLERK])
    assert tenant_client.post("/products/suppliers/", {**data, "name": "Other"}).status_code == 403
