"""Field mapping: which channel field fills which Stockroom field on product import.

A connection's ``settings["field_map"]`` is a list of ``{"source": …, "target": …}``. The
sources a channel offers (custom fields included):

- Shopify: ``metafield:<namespace>.<key>`` (the variant's metafield, else the product's),
  ``vendor``, ``product_type``, ``tags``, ``barcode``.
- WooCommerce: ``meta:<key>`` (the variation's ``meta_data``, else the product's),
  ``attribute:<name>`` (the variation's attribute option, else the product attribute's
  options), ``global_unique_id`` (the GTIN/EAN field).

Targets: ``barcode``, ``weight_kg`` (the variant), ``brand``, ``description``, ``tag`` (adds a
product tag), ``option:<name>`` (a variant attribute, e.g. ``option:Material``).

Rules: an empty or missing channel value changes nothing here (a mapping never erases what
people entered); a value the catalog refuses (a barcode with a wrong check digit) fails that
record in the sync log like any other catalog error.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from apps.integrations.errors import IntegrationError

TARGETS = {
    "barcode": "Variant barcode",
    "weight_kg": "Variant weight (kg)",
    "brand": "Product brand",
    "description": "Product description",
    "tag": "A product tag",
}
OPTION_PREFIX = "option:"

SOURCES = {
    "shopify": {
        "fixed": ("vendor", "product_type", "tags", "barcode"),
        "prefixes": {"metafield:": re.compile(r"^[\w$:-]{1,255}\.[\w-]{1,64}$")},
        "example": "metafield:custom.brand = brand",
    },
    "woocommerce": {
        "fixed": ("global_unique_id",),
        "prefixes": {
            "meta:": re.compile(r"^[^\s=].{0,190}$"),
            "attribute:": re.compile(r"^[^\s=].{0,190}$"),
        },
        "example": "attribute:Brand = brand",
    },
}
MAX_RULES = 30


def providers_with_mapping() -> tuple[str, ...]:
    return tuple(SOURCES)


def _check_source(provider: str, source: str, line: int) -> str:
    spec = SOURCES[provider]
    if source in spec["fixed"]:
        return source
    for prefix, pattern in spec["prefixes"].items():
        if source.startswith(prefix) and pattern.match(source[len(prefix) :]):
            return source
    choices = ", ".join([*spec["fixed"], *(f"{p}…" for p in spec["prefixes"])])
    raise IntegrationError(
        f"Line {line}: unknown channel field “{source}”. Use one of {choices}.",
        field="field_map",
    )


def _check_target(target: str, line: int) -> str:
    if target in TARGETS:
        return target
    if target.startswith(OPTION_PREFIX) and target[len(OPTION_PREFIX) :].strip():
        # option names are lower case in the catalog (size=M)
        return OPTION_PREFIX + target[len(OPTION_PREFIX) :].strip().lower()[:40]
    raise IntegrationError(
        f"Line {line}: unknown Stockroom field “{target}”. Use one of "
        f"{', '.join(TARGETS)} or option:<name>.",
        field="field_map",
    )


def field_map_parse(provider: str, text: str) -> list[dict]:
    """``source = target`` per line (blank lines and ``#`` comments ignored) → rules.
    Raises IntegrationError naming the line at fault."""
    if provider not in SOURCES:
        raise IntegrationError("This channel has no field mapping.", field="field_map")
    rules: list[dict] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if not raw.strip().startswith("#") else ""
        if not line:
            continue
        source, sep, target = (part.strip() for part in line.partition("="))
        if not sep or not source or not target:
            raise IntegrationError(
                f"Line {number}: write “channel field = Stockroom field”, "
                f"e.g. {SOURCES[provider]['example']}.",
                field="field_map",
            )
        rule = {
            "source": _check_source(provider, source, number),
            "target": _check_target(target, number),
        }
        single = rule["target"] not in ("tag",)
        if single and any(r["target"] == rule["target"] for r in rules):
            raise IntegrationError(
                f"Line {number}: “{rule['target']}” is already filled by another line.",
                field="field_map",
            )
        rules.append(rule)
    if len(rules) > MAX_RULES:
        raise IntegrationError(f"At most {MAX_RULES} lines.", field="field_map")
    return rules


def field_map_text(rules: list[dict]) -> str:
    return "\n".join(f"{r['source']} = {r['target']}" for r in rules)


def _text(value) -> str:
    if value is None or isinstance(value, (dict, list)) and not value:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return ""  # structured meta (a plugin's settings) is not a field value
    return str(value).strip()


def mapped_values(rules: list[dict], fields: dict) -> dict[str, list[str]]:
    """Target → values (in rule order) for one channel variant's ``fields``."""
    values: dict[str, list[str]] = {}
    for rule in rules:
        value = _text(fields.get(rule["source"]))
        if value:
            values.setdefault(rule["target"], []).append(value)
    return values


def variant_apply(variant, values: dict[str, list[str]]) -> bool:
    """Write the mapped values through the catalog services; True when anything changed."""
    from apps.catalog.services import CatalogError, product_update, variant_update

    product = variant.product
    changed = False
    product_changes: dict = {}
    if "brand" in values and product.brand != values["brand"][0][:120]:
        product_changes["brand"] = values["brand"][0][:120]
    if "description" in values and product.description != values["description"][0]:
        product_changes["description"] = values["description"][0]
    tags = [t.strip().lower()[:40] for v in values.get("tag", []) for t in v.split(",")]
    new_tags = [t for t in dict.fromkeys(tags) if t and t not in (product.tags or [])]
    if new_tags:
        product_changes["tags"] = [*(product.tags or []), *new_tags]
    if product_changes:
        product_update(product=product, **product_changes)
        changed = True
    variant_changes: dict = {}
    if "barcode" in values and variant.barcode != values["barcode"][0]:
        variant_changes["barcode"] = values["barcode"][0]
    if "weight_kg" in values:
        try:
            weight = Decimal(values["weight_kg"][0])
        except InvalidOperation:
            raise CatalogError(f"Weight “{values['weight_kg'][0]}” is not a number.") from None
        if variant.weight_kg != weight:
            variant_changes["weight_kg"] = weight
    options = dict(variant.options or {})
    for target, found in values.items():
        if target.startswith(OPTION_PREFIX):
            options[target[len(OPTION_PREFIX) :]] = found[0].strip()[:100]
    if options != (variant.options or {}):
        variant_changes["options"] = options
    if variant_changes:
        variant_update(variant=variant, **variant_changes)
        changed = True
    return changed
