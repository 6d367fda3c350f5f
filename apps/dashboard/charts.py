"""Small helpers that turn selector rows into Chart.js-ready JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def number(value) -> float:
    """JSON has no Decimal; charts only need a float (tables show the exact figure)."""
    return float(value or Decimal("0"))


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every day from ``start`` to ``end``, both included."""
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def dataset(label: str, values) -> dict:
    return {"label": label, "data": [number(v) for v in values]}
