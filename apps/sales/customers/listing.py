"""The customer list's filters, shared by the list page and its exports."""

from __future__ import annotations

from apps.core.htmx import int_param
from apps.sales.customers import rfm, selectors

ACTIVE_CHOICES = (("active", "Active"), ("archived", "Archived"), ("all", "All"))


def list_filters(params) -> dict:
    """The list's filters from a query string (the list page and its exports share them)."""
    active = params.get("active") or "active"
    segment = params.get("segment") or ""
    return {
        "search": (params.get("q") or "").strip()[:200],
        "tag": (params.get("tag") or "").strip()[:40],
        "tier_id": int_param(params.get("tier")),
        "active": active if active in dict(ACTIVE_CHOICES) else "active",
        "segment": segment if segment in rfm.SEGMENTS else "",
    }


def filtered_customers(filters: dict, sort: str, segments: dict):
    """The customer queryset for these filters, sorted; ``segments`` is ``rfm_segments()``."""
    segment_ids = None
    if filters["segment"] == rfm.NO_ORDERS:
        qs = selectors.customers(
            **{k: v for k, v in filters.items() if k != "segment"}, sort=sort
        ).exclude(pk__in=list(segments))
    else:
        if filters["segment"]:
            segment_ids = [k for k, s in segments.items() if s.segment == filters["segment"]]
        qs = selectors.customers(
            **{k: v for k, v in filters.items() if k != "segment"},
            segment_ids=segment_ids,
            sort=sort,
        )
    if sort.lstrip("-") == "segment":
        qs = selectors.segment_sorted(
            qs,
            {k: s.segment for k, s in segments.items()},
            rfm.ORDER,
            desc=sort.startswith("-"),
        )
    return qs
