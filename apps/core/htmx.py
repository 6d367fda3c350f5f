"""Small helpers for views that serve a full page and, to HTMX, one fragment of it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page_or_partial(
    request: HttpRequest, template: str, partial: str, context: dict, status: int = 200
) -> HttpResponse:
    """The whole page, or only ``{% partialdef partial %}`` when HTMX targets ``#partial``.

    One template defines the fragment once (django-template-partials), so a list
    refreshed by search, sort or pagination is never written twice.
    """
    htmx = getattr(request, "htmx", None)
    name = f"{template}#{partial}" if htmx and htmx.target == partial else template
    return render(request, name, context, status=status)


def int_param(value) -> int | None:
    """A query-string id: an int, or None for anything else (never an error page)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
