"""The category tree page and one category's page (rename, move, delete)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.permissions import capability_required, user_can
from apps.catalog import services
from apps.catalog.errors import CatalogError
from apps.catalog.forms import CategoryForm, CategoryMoveForm
from apps.catalog.models import Category
from apps.catalog.selectors import breadcrumbs, categories_with_counts


def _forbidden(request, what: str):
    return render(
        request, "errors/403.html", {"reason": f"Only owners and managers {what}."}, status=403
    )


@require_http_methods(["GET", "POST"])
@capability_required("catalog.view")
def categories(request):
    form = CategoryForm(request.POST or None)
    if request.method == "POST":
        if not user_can(request.user, "catalog.edit"):
            return _forbidden(request, "change categories")
        if form.is_valid():
            try:
                category = services.category_create(**form.cleaned_data)
            except CatalogError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request, f"Category {' › '.join(c.name for c in breadcrumbs(category))} added."
                )
                return redirect("catalog:categories")
    context = {
        "categories": categories_with_counts(),
        "form": form,
        "can_edit": user_can(request.user, "catalog.edit"),
    }
    return render(request, "catalog/categories.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@capability_required("catalog.view")
def category_detail(request, pk: int):
    category = get_object_or_404(Category, pk=pk)
    rename_form = CategoryForm(initial={"name": category.name}, prefix="rename")
    move_form = CategoryMoveForm(initial={"parent": category.parent_id}, prefix="move")
    # A category can't move under itself or its subtree: leave those out of the picker.
    move_form.fields["parent"].queryset = Category.objects.exclude(
        path__startswith=category.path
    ).order_by("path")
    del rename_form.fields["parent"]
    if request.method == "POST":
        if not user_can(request.user, "catalog.edit"):
            return _forbidden(request, "change categories")
        action = request.POST.get("action")
        try:
            if action == "rename":
                rename_form = CategoryForm(request.POST, prefix="rename")
                del rename_form.fields["parent"]
                if rename_form.is_valid():
                    services.category_rename(
                        category=category, name=rename_form.cleaned_data["name"]
                    )
                    messages.success(request, f"Renamed to {category.name}.")
                    return redirect("catalog:category", pk=pk)
            elif action == "move":
                move_form = CategoryMoveForm(request.POST, prefix="move")
                move_form.fields["parent"].queryset = Category.objects.order_by("path")
                if move_form.is_valid():
                    services.category_move(
                        category=category, parent=move_form.cleaned_data["parent"]
                    )
                    trail = " › ".join(c.name for c in breadcrumbs(category))
                    messages.success(request, f"Moved: {trail}.")
                    return redirect("catalog:category", pk=pk)
            elif action == "delete":
                name = category.name
                services.category_delete(category=category)
                messages.success(request, f"Category {name} deleted.")
                return redirect("catalog:categories")
        except CatalogError as exc:
            form = rename_form if action == "rename" else move_form
            if action == "delete":
                messages.error(request, exc.message)
                return redirect("catalog:category", pk=pk)
            form.add_error(None, exc.message)
    subtree = [c for c in categories_with_counts() if c.path.startswith(category.path)]
    context = {
        "category": category,
        "crumbs": breadcrumbs(category),
        "subtree": subtree,
        "totals": subtree[0] if subtree else None,
        "rename_form": rename_form,
        "move_form": move_form,
        "can_edit": user_can(request.user, "catalog.edit"),
    }
    has_errors = rename_form.errors or move_form.errors
    return render(
        request, "catalog/category_detail.html", context, status=422 if has_errors else 200
    )
