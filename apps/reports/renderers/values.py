"""How a cell of each column kind is written as text (CSV, page, PDF)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

PLACES = {
    "qty": Decimal("0.001"),
    "money": Decimal("0.01"),
    "percent": Decimal("0.1"),
    "ratio": Decimal("0.01"),
}


def as_text(value, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind in PLACES:
        number = Decimal(value).quantize(PLACES[kind])
        text = f"{number:f}"
        if kind == "qty" and "." in text:
            text = text.rstrip("0").rstrip(".")
        return text + ("%" if kind == "percent" else "")
    if kind == "int":
        return str(int(value))
    if kind == "datetime" and isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if kind == "date" and isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def as_display(value, kind: str) -> str:
    """Like as_text, with thousands separators for numbers (the page and the PDF)."""
    text = as_text(value, kind)
    if kind in {"qty", "money", "int", "ratio"} and text:
        sign = "-" if text.startswith("-") else ""
        whole, _, fraction = text.lstrip("-").partition(".")
        return f"{sign}{int(whole):,}" + (f".{fraction}" if fraction else "")
    return text
