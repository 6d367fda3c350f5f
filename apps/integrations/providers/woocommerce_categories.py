"""WooCommerce product categories into catalog categories, matched by name path.

A WooCommerce product lists its categories by id and name only, so the store's category
tree (``/products/categories``: id, name, parent) is read once per run to build each one's
path ("Clothing › Shirts"). The path is found in the catalog level by level by name (case
ignored) and missing levels are created through ``apps.catalog.categories.category_create``.

Rule: the channel fills in a product's category only while the product has none; a category
chosen in Stockroom is never overwritten. Of several WooCommerce categories the first listed
is used; the store's default "Uncategorized" is ignored.
"""

from __future__ import annotations

from django.db import transaction

from apps.catalog.categories import category_create
from apps.catalog.models import Category, Product
from apps.catalog.services import CatalogError, product_update
from apps.integrations import ids

API = "/wp-json/wc/v3"
IGNORED_SLUGS = ("uncategorized",)


class CategoryTree:
    """The store's categories, read on first use and kept for one run."""

    def __init__(self, client):
        self.client = client
        self._nodes: dict[int, dict] | None = None

    def nodes(self) -> dict[int, dict]:
        if self._nodes is None:
            self._nodes, page = {}, 1
            while True:
                response = self.client.get(
                    f"{API}/products/categories", params={"per_page": 100, "page": page}
                )
                for row in response.json():
                    self._nodes[int(row["id"])] = row
                if page >= int(response.headers.get("X-WP-TotalPages") or 1):
                    break
                page += 1
        return self._nodes

    def path(self, category_id: int) -> list[str]:
        """Names from the root down to the category (a broken parent chain stops there)."""
        nodes, names, seen = self.nodes(), [], set()
        current = nodes.get(int(category_id))
        while current is not None and current["id"] not in seen:
            seen.add(current["id"])
            names.append(str(current.get("name") or "").strip())
            current = nodes.get(int(current.get("parent") or 0))
        return [n for n in reversed(names) if n]


def category_for_path(names: list[str]) -> Category | None:
    """The catalog category at this name path, created level by level when missing."""
    parent = None
    for name in names:
        found = Category.objects.filter(parent=parent, name__iexact=name).first()
        parent = found or category_create(name=name, parent=parent)
    return parent


def product_category_apply(connection, recorder, tree: CategoryTree, product: dict) -> None:
    """Give the imported product its WooCommerce category if it has none yet."""
    wanted = [c for c in product.get("categories") or [] if c.get("slug") not in IGNORED_SLUGS]
    if not wanted:
        return
    link = ids.local_for(connection, "product", str(product["id"]))
    if link is None:
        return
    local = Product.objects.filter(pk=link.local_id, category__isnull=True).first()
    if local is None:
        return
    names = tree.path(wanted[0]["id"]) or [str(wanted[0].get("name") or "").strip()]
    names = [n for n in names if n]
    if not names:
        return
    try:
        with transaction.atomic():
            product_update(product=local, category=category_for_path(names))
    except CatalogError as exc:
        recorder.fail(
            f"categories of {product.get('name', '')} ({product['id']})",
            f"Category {' › '.join(names)}: {exc.message}",
        )
