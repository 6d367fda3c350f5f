from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.models import SupplierItem, Variant
from apps.catalog.services import product_create
from apps.inventory.services import MoveLine, stock_moves_post
from apps.purchasing.models import PurchaseOrder

from .conftest import D


def low_items(buying, count, start=0):
    for i in range(start, start + count):
        variant = product_create(name=f"Washer {i}", sku=f"WASH-{i}").variants.get()
        Variant.objects.filter(pk=variant.pk).update(reorder_point=D(5), reorder_quantity=D(10))
        SupplierItem.objects.create(
            supplier=buying["supplier"], variant=variant, cost=D(1), is_preferred=True
        )
        stock_moves_post(
            lines=[MoveLine(variant.pk, buying["shelf"].pk, D(1), D(1))], kind="receipt"
        )


def test_suggestions_page_has_a_fixed_query_count(
    web, tenant, buying, django_assert_max_num_queries
):
    with schema_context(tenant.schema_name):
        low_items(buying, 1)
    client = web.login_as(Role.CLERK)
    with django_assert_max_num_queries(20):
        one = client.get("/purchasing/suggestions/")
    assert "WASH-0" in one.content.decode() and "Acme Parts" in one.content.decode()
    with schema_context(tenant.schema_name):
        low_items(buying, 60, start=1)
    with django_assert_max_num_queries(20):
        many = client.get("/purchasing/suggestions/")
    assert "Page 1 of 2" in many.content.decode()


def test_ticked_suggestions_become_a_draft_po(web, tenant, buying):
    with schema_context(tenant.schema_name):
        low_items(buying, 2)
        ids = list(Variant.objects.filter(sku__startswith="WASH").values_list("pk", flat=True))
    wh = buying["warehouse"].pk
    client = web.login_as(Role.CLERK)
    response = client.post(
        "/purchasing/suggestions/",
        {"pick": [f"{ids[0]}-{wh}"], f"qty-{ids[0]}-{wh}": "12", f"qty-{ids[1]}-{wh}": "10"},
    )
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        order = PurchaseOrder.objects.get()
        assert response["Location"] == f"/purchasing/orders/{order.pk}/"
        assert [(line.variant_id, line.quantity) for line in order.lines.all()] == [(ids[0], 12)]
    refused = client.post("/purchasing/suggestions/", {}, follow=True)
    assert "Choose at least one suggestion" in refused.content.decode()


def test_viewer_sees_suggestions_but_cannot_order(web, tenant, buying):
    with schema_context(tenant.schema_name):
        low_items(buying, 1)
    viewer = web.login_as(Role.VIEWER)
    page = viewer.get("/purchasing/suggestions/").content.decode()
    assert "WASH-0" in page and "Create draft purchase orders" not in page
    denied = viewer.post("/purchasing/suggestions/", {"pick": ["1-1"], "qty-1-1": "1"})
    assert denied.status_code == 403
    with schema_context(tenant.schema_name):
        assert not PurchaseOrder.objects.exists()
