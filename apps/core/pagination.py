"""Pagination and sorting kept in the URL, shared by every list page."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

PAGE_SIZES = (25, 50, 100)


def paginate(request, queryset, *, per_page: int = 25) -> Page:
    try:
        size = int(request.GET.get("per_page", per_page))
    except ValueError:
        size = per_page
    if size not in PAGE_SIZES:
        size = per_page
    paginator = Paginator(queryset, size)
    # get_page clamps bad or out-of-range numbers to a real page instead of raising.
    return paginator.get_page(request.GET.get("page"))


def query_without(request, *names: str) -> str:
    """The current query string minus some keys, for building page and sort links."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    encoded = params.urlencode()
    return encoded + "&" if encoded else ""
