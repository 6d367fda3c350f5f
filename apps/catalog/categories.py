"""Writes on the category tree. ``path`` is the materialized path of ids ("/3/17/42/"):
a subtree is one indexed prefix query and a move is one UPDATE of the subtree's paths."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from apps.catalog.errors import CatalogError
from apps.catalog.models import Category

MAX_DEPTH = 10


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise CatalogError("Enter the category's name.", field="name")
    if len(name) > 120:
        raise CatalogError("A category name has at most 120 characters.", field="name")
    return name


def _check_free(name: str, parent: Category | None, *, exclude_pk: int | None = None) -> None:
    if Category.objects.filter(parent=parent, name__iexact=name).exclude(pk=exclude_pk).exists():
        where = f"in {parent.name}" if parent else "at the top level"
        raise CatalogError(f"There is already a category called {name} {where}.", field="name")


def category_create(*, name: str, parent: Category | None = None) -> Category:
    name = _check_name(name)
    if parent is not None and parent.depth + 1 >= MAX_DEPTH:
        raise CatalogError(f"Categories nest at most {MAX_DEPTH} levels deep.", field="parent")
    _check_free(name, parent)
    try:
        with transaction.atomic():
            category = Category.objects.create(
                name=name, parent=parent, depth=(parent.depth + 1) if parent else 0
            )
            category.path = f"{parent.path if parent else '/'}{category.pk}/"
            category.save(update_fields=["path"])
    except IntegrityError as exc:
        raise CatalogError(
            f"There is already a category called {name} here.", field="name"
        ) from exc
    return category


def category_rename(*, category: Category, name: str) -> Category:
    name = _check_name(name)
    _check_free(name, category.parent, exclude_pk=category.pk)
    try:
        with transaction.atomic():
            Category.objects.filter(pk=category.pk).update(name=name)
    except IntegrityError as exc:
        raise CatalogError(
            f"There is already a category called {name} here.", field="name"
        ) from exc
    category.refresh_from_db()
    return category


def category_move(*, category: Category, parent: Category | None) -> Category:
    """Move a category and its subtree under ``parent`` (None: to the top level)."""
    with transaction.atomic():
        # Lock the moving subtree and the new parent so two moves can't build a loop.
        ids = [category.pk] + ([parent.pk] if parent else [])
        list(Category.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        category.refresh_from_db()
        if parent is not None:
            parent.refresh_from_db()
            if parent.path.startswith(category.path):
                raise CatalogError(
                    "A category can't move inside itself or one of its subcategories.",
                    field="parent",
                )
        _check_free(category.name, parent, exclude_pk=category.pk)
        old_path, old_depth = category.path, category.depth
        new_path = f"{parent.path if parent else '/'}{category.pk}/"
        shift = (parent.depth + 1 if parent else 0) - old_depth
        deepest = (
            Category.objects.filter(path__startswith=old_path)
            .order_by("-depth")
            .values_list("depth", flat=True)
            .first()
        )
        if deepest is not None and deepest + shift >= MAX_DEPTH:
            raise CatalogError(f"Categories nest at most {MAX_DEPTH} levels deep.", field="parent")
        Category.objects.filter(pk=category.pk).update(parent=parent)
        Category.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + shift,
        )
    category.refresh_from_db()
    return category


def category_delete(*, category: Category) -> None:
    """Delete an empty category. One with subcategories or products is refused: move or
    delete those first, so nothing loses its place silently."""
    if category.children.exists():
        raise CatalogError(
            f"{category.name} has subcategories. Move or delete them first.", field="category"
        )
    count = category.products.count()
    if count:
        raise CatalogError(
            f"{category.name} still has {count} product{'s' if count != 1 else ''}. "
            "Move them to another category first.",
            field="category",
        )
    category.delete()
