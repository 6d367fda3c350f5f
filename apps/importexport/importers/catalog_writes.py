"""Catalog updates the catalog app has no service for yet (it has creates only).

Kept here, small and explicit, until ``apps.catalog.services`` grows
``product_update`` / ``variant_update`` / ``supplier_update`` / supplier items:
then these become calls to those. Uniqueness is checked by the importer's plan
and, behind it, by the database's unique constraints.
"""

from __future__ import annotations

from apps.catalog.models import Category, Supplier, SupplierItem, Variant
from apps.catalog.services import category_create


def fields_update(instance, values: dict) -> None:
    """Save only the given fields (and ``updated_at`` where the model has one)."""
    if not values:
        return
    for name, value in values.items():
        setattr(instance, name, value)
    names = list(values)
    if any(f.name == "updated_at" for f in instance._meta.fields):
        names.append("updated_at")
    instance.save(update_fields=names)


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
    item = SupplierItem.objects.filter(supplier=supplier, variant=variant).first()
    if item is None:
        has_preferred = SupplierItem.objects.filter(variant=variant, is_preferred=True).exists()
        return SupplierItem.objects.create(
            supplier=supplier, variant=variant, is_preferred=not has_preferred, **values
        )
    fields_update(item, values)
    return item
