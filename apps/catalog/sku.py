"""SKUs generated from the company's pattern, e.g. ``{CAT}-{NAME}-{OPT}-{SEQ}`` →
``SHO-TRAI-M-RED-0042``. ``{SEQ}`` comes from a per-company PostgreSQL sequence
(apps/core/sequences.py), so two people adding products at once never get the same number."""

from __future__ import annotations

import re
import unicodedata

from apps.catalog.models import CatalogSettings, Variant
from apps.core.sequences import sequence_next, sequence_peek

TOKENS = ("CAT", "NAME", "BRAND", "OPT", "SEQ")
_TOKEN = re.compile(r"\{([A-Z]+)\}")
SEQUENCE = "catalog_sku"


def catalog_settings() -> CatalogSettings:
    settings, _ = CatalogSettings.objects.get_or_create(pk=1)
    return settings


def pattern_problem(pattern: str) -> str | None:
    """What is wrong with a SKU pattern, in words, or None."""
    pattern = (pattern or "").strip()
    if not pattern:
        return "Enter a pattern, for example {CAT}-{NAME}-{SEQ}."
    unknown = [t for t in _TOKEN.findall(pattern) if t not in TOKENS]
    if unknown:
        return f"Unknown token {{{unknown[0]}}}. Use {', '.join('{' + t + '}' for t in TOKENS)}."
    if "{SEQ}" not in pattern:
        return "The pattern needs {SEQ} so that every generated SKU is different."
    literal = _TOKEN.sub("", pattern)
    if re.search(r"[^A-Za-z0-9\-_./]", literal):
        return "Between tokens use letters, digits and - _ . / only."
    return None


def _slug(text: str, length: int) -> str:
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", ascii_text).upper()[:length]


def _render(pattern: str, *, values: dict[str, str]) -> str:
    sku = _TOKEN.sub(lambda m: values.get(m.group(1), ""), pattern)
    # An empty token (no category, no options) must not leave "--" or a trailing "-".
    sku = re.sub(r"([\-_./])[\-_./]+", r"\1", sku).strip("-_./")
    return sku[:64]


def _values(*, product_name: str, category, brand: str, options: dict | None) -> dict:
    return {
        "CAT": _slug(category.name if category else "", 3),
        "NAME": _slug(product_name, 4),
        "BRAND": _slug(brand, 3),
        "OPT": "-".join(_slug(str(v), 3) for v in (options or {}).values() if _slug(str(v), 3)),
    }


def sku_generate(
    *, product_name: str, category=None, brand: str = "", options: dict | None = None
) -> str:
    """A new SKU from the pattern that no variant uses yet."""
    settings = catalog_settings()
    values = _values(product_name=product_name, category=category, brand=brand, options=options)
    for _attempt in range(20):  # numbers typed by hand may already use a few of them
        values["SEQ"] = f"{sequence_next(SEQUENCE):0{settings.sku_sequence_width}d}"
        sku = _render(settings.sku_pattern, values=values)
        if not Variant.objects.filter(sku__iexact=sku).exists():
            return sku
    raise RuntimeError("Could not find a free SKU; check the SKU pattern.")


def sku_preview(*, pattern: str, width: int) -> str:
    """What the next SKU of a sample product would look like (does not use a number)."""
    values = {"CAT": "SHO", "NAME": "TRAI", "BRAND": "ACM", "OPT": "M-RED"}
    values["SEQ"] = f"{sequence_peek(SEQUENCE):0{width}d}"
    return _render(pattern, values=values)
