"""The category tree: create, rename, move with subtree, delete, counts, pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.errors import CatalogError
from apps.catalog.models import Category
from apps.catalog.selectors import breadcrumbs, categories_with_counts
from apps.catalog.services import (
    category_create,
    category_delete,
    category_move,
    category_rename,
    product_create,
)


def test_move_rewrites_the_whole_subtree(in_tenant):
    a = category_create(name="A")
    b = category_create(name="B", parent=a)
    c = category_create(name="C", parent=b)
    z = category_create(name="Z")
    category_move(category=b, parent=z)
    c.refresh_from_db()
    assert c.path == f"/{z.pk}/{b.pk}/{c.pk}/" and c.depth == 2
    assert [x.name for x in breadcrumbs(c)] == ["Z", "B", "C"]
    category_move(category=b, parent=None)
    c.refresh_from_db()
    assert c.path == f"/{b.pk}/{c.pk}/" and c.depth == 1


def test_no_cycles_and_no_duplicate_names(in_tenant):
    a = category_create(name="A")
    b = category_create(name="B", parent=a)
    c = category_create(name="C", parent=b)
    with pytest.raises(CatalogError, match="inside itself"):
        category_move(category=a, parent=c)
    with pytest.raises(CatalogError, match="inside itself"):
        category_move(category=a, parent=a)
    category_create(name="B")
    with pytest.raises(CatalogError, match="already a category called B"):
        category_move(category=b, parent=None)
    with pytest.raises(CatalogError, match="already a category called a"):
        category_create(name="a")
    with pytest.raises(CatalogError, match="already a category called c in B"):
        category_rename(category=category_create(name="D", parent=b), name="c")
    assert Category.objects.get(pk=a.pk).path == f"/{a.pk}/"


def test_delete_only_empty_categories(in_tenant):
    a = category_create(name="A")
    b = category_create(name="B", parent=a)
    product_create(name="Thing", sku="T-1", category=b)
    with pytest.raises(CatalogError, match="has subcategories"):
        category_delete(category=a)
    with pytest.raises(CatalogError, match="still has 1 product"):
        category_delete(category=b)
    empty = category_create(name="Empty")
    category_delete(category=empty)
    assert not Category.objects.filter(pk=empty.pk).exists()


def test_counts_cover_the_subtree_in_one_query(in_tenant):
    a = category_create(name="A")
    b = category_create(name="B", parent=a)
    c = category_create(name="C", parent=b)
    product_create(name="One", sku="O-1", category=a)
    product_create(name="Two", sku="T-2", category=c)
    product_create(name="Three", sku="T-3", category=c)
    with CaptureQueriesContext(connection) as ctx:
        counts = {x.name: (x.own, x.total) for x in categories_with_counts()}
    assert len(ctx.captured_queries) == 1
    assert counts == {"A": (1, 3), "B": (0, 2), "C": (2, 2)}


def test_category_page_moves_and_shows_breadcrumbs(tenant_client, tenant, users):
    with schema_context(tenant.schema_name):
        a = category_create(name="Apparel")
        b = category_create(name="Boots", parent=a)
        z = category_create(name="Zone")
    tenant_client.force_login(users[Role.MANAGER])
    page = tenant_client.get(f"/products/categories/{b.pk}/").content.decode()
    assert 'aria-label="Breadcrumb"' in page and "Apparel" in page
    moved = tenant_client.post(
        f"/products/categories/{b.pk}/", {"action": "move", "move-parent": z.pk}
    )
    assert moved.status_code == 302
    loop = tenant_client.post(
        f"/products/categories/{a.pk}/", {"action": "move", "move-parent": a.pk}
    )
    assert loop.status_code == 422 and "inside itself" in loop.content.decode()
    renamed = tenant_client.post(
        f"/products/categories/{b.pk}/", {"action": "rename", "rename-name": "Boots & shoes"}
    )
    assert renamed.status_code == 302
    with schema_context(tenant.schema_name):
        b.refresh_from_db()
        assert b.path == f"/{z.pk}/{b.pk}/" and b.name == "Boots & shoes"
    deleted = tenant_client.post(f"/products/categories/{z.pk}/", {"action": "delete"})
    assert deleted.status_code == 302  # refused with a message: it has a subcategory
    with schema_context(tenant.schema_name):
        assert Category.objects.filter(pk=z.pk).exists()
    tenant_client.force_login(users[Role.CLERK])
    assert (
        tenant_client.post(f"/products/categories/{a.pk}/", {"action": "delete"}).status_code == 403
    )


def test_category_pages_query_budget(tenant_client, tenant, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tenant_client.force_login(users[Role.MANAGER])
    with schema_context(tenant.schema_name):
        root = category_create(name="Root")

    def count(url) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert tenant_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = ["/products/categories/", f"/products/categories/{root.pk}/", "/products/new/"]
    [count(u) for u in urls]
    before = [count(u) for u in urls]
    with schema_context(tenant.schema_name):
        parent = root
        for i in range(30):
            parent = category_create(name=f"Level {i}", parent=root if i % 3 == 0 else parent)
            product_create(name=f"P{i}", sku=f"P-{i}", category=parent)
    assert [count(u) for u in urls] == before
    page = tenant_client.get("/products/new/").content.decode()
    assert "— Level 0" in page  # pickers show the tree indented
