"""Sortable column headers and pagination for list pages; state lives in the URL."""

from __future__ import annotations

from django import template

from apps.core.pagination import query_without

register = template.Library()


@register.inclusion_tag("partials/sortable_th.html", takes_context=True)
def sortable_th(context, field: str, label: str, target: str = ""):
    request = context["request"]
    current = request.GET.get("sort", context.get("default_sort", ""))
    if current == field:
        aria, next_sort, icon = "ascending", f"-{field}", "bi-caret-up-fill"
    elif current == f"-{field}":
        aria, next_sort, icon = "descending", field, "bi-caret-down-fill"
    else:
        aria, next_sort, icon = "none", field, ""
    return {
        "label": label,
        "aria_sort": aria,
        "href": f"?{query_without(request, 'sort', 'page')}sort={next_sort}",
        "icon": icon,
        "target": target,
    }


@register.inclusion_tag("partials/pagination.html", takes_context=True)
def pagination(context, page, target: str = ""):
    request = context["request"]
    return {"page": page, "base": "?" + query_without(request, "page"), "target": target}
