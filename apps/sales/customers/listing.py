"""The customer list's filters, shared by the list page and its exports."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

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


# Sorted in Python from the cached order figures and RFM scores: a join over every order
# (or a CASE over every segment) on each page view costs far more than sorting ids.
PYTHON_SORTS = ("orders", "revenue", "last_order", "segment")


def filtered_customers(filters: dict, sort: str, segments: dict, totals: dict | None = None):
    """The customers for these filters, sorted: a queryset, or for the order-figure and
    segment columns an ``IdOrderedCustomers`` (both paginate and iterate the same way).
    ``segments`` and ``totals`` are ``orders.snapshot()``."""
    others = {k: v for k, v in filters.items() if k != "segment"}
    key = sort.lstrip("-")
    db_sort = "name" if key in PYTHON_SORTS else sort
    if filters["segment"] == rfm.NO_ORDERS:
        qs = selectors.customers(**others, sort=db_sort).exclude(pk__in=list(segments))
    else:
        segment_ids = None
        if filters["segment"]:
            segment_ids = [k for k, s in segments.items() if s.segment == filters["segment"]]
        qs = selectors.customers(**others, segment_ids=segment_ids, sort=db_sort)
    if key not in PYTHON_SORTS:
        return qs
    return IdOrderedCustomers(
        qs, _sorted_ids(qs, key, sort.startswith("-"), segments, totals or {})
    )


def _sorted_ids(qs, key: str, descending: bool, segments: dict, totals: dict) -> list[int]:
    def value(pk):
        if key == "segment":
            score = segments.get(pk)
            return rfm.ORDER.index(score.segment if score else rfm.NO_ORDERS)
        figures = totals.get(pk)
        if key == "orders":
            return figures.count if figures else 0
        if key == "revenue":
            return figures.revenue if figures else Decimal(0)
        return figures.last_order if figures else None  # last_order

    ids = list(qs.values_list("pk", flat=True))  # already by name, then id
    known = [pk for pk in ids if value(pk) is not None]
    unknown = [pk for pk in ids if value(pk) is None]  # empty last, whichever direction
    known.sort(key=value, reverse=descending)  # stable: ties stay in name order
    return known + unknown


class IdOrderedCustomers(Sequence):
    """Customers in a given order of ids; slicing fetches only that slice (one query)."""

    def __init__(self, queryset, ids: list[int]):
        self.queryset = queryset.order_by()
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def count(self, value=None) -> int:  # what the paginator asks
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._fetch(self.ids[index])
        return self._fetch([self.ids[index]])[0]

    def _fetch(self, ids: list[int]) -> list:
        found = self.queryset.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]

    def iterator(self, chunk_size: int = 1000):
        for start in range(0, len(self.ids), chunk_size):
            yield from self._fetch(self.ids[start : start + chunk_size])
