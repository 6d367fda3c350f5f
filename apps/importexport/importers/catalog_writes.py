"""The importers' catalog writes, through the catalog's own services (so an imported row obeys
the same rules as a typed one: SKU/barcode checks, one preferred supplier per variant …)."""

from __future__ import annotations

from apps.catalog.models import Category, Product, Supplier, SupplierItem, Variant
from apps.catalog.services import (
    category_create,
    product_update,
    supplier_item_create,
    supplier_item_update,
    supplier_update,
    variant_update,
)


def fields_update(instance, values: dict) -> None:
    """Change only the given fields of a product, variant, supplier or supplier item."""
    if not values:
        return
    if isinstance(instance, Product):
        product_update(product=instance, **values)
    elif isinstance(instance, Variant):
        variant_update(variant=instance, **values)
    elif isinstance(instance, Supplier):
        supplier_update(supplier=instance, **values)
    elif isinstance(instance, SupplierItem):
        supplier_item_update(item=instance, **values)
    else:  # pragma: no cover - a programming mistake
        raise TypeError(f"No catalog service updates {type(instance).__name__}")


def category_path_ensure(
    names: tuple[str, ...], known: dict[tuple[str, ...], Category]
) -> Category:
    """The category at "A > B > C", creating the missing levels; ``known`` is keyed by
    lower-cased name tuples and is updated with what was created."""
    parent = None
    for depth in range(1, len(names) + 1):
        key = tuple(n.lower() for n in names[:depth])
        category = known.get(key)
        if category is None:
            category = category_create(name=names[depth - 1], parent=parent)
            known[key] = category
        parent = category
    return parent


def supplier_item_upsert(*, supplier: Supplier, variant: Variant, values: dict) -> SupplierItem:
    """Create or update what ``supplier`` sells of ``variant``; a variant's first supplier
    becomes its preferred one (the service's rule)."""
    item = SupplierItem.objects.filter(supplier=supplier, variant=variant).first()
    if item is None:
        return supplier_item_create(supplier=supplier, variant=variant, **values)
    fields_update(item, values)
    return item
