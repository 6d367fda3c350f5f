"""Every URL pattern of the company site (pages, HTMX partials, exports, report downloads, media,
the API), walked from the resolver so a new view is swept without anyone listing it."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

TENANT_URLCONF = "config.urls_tenant"
FOREIGN_ID = 7_000_001  # an id that exists only in the other company's schema
FOREIGN_UUID = uuid.UUID("00000000-0000-4000-8000-00000000beef")
# Values for the string parts of routes, chosen so the view gets as far as its object lookup.
STRING_VALUES = {
    "fmt": "csv",
    "format": "json",
    "kind": "thumb",
    "what": "products",
    "entity": "products",
    "provider": "shopify",
    "action": "archive",
    "name": "stock-on-hand",
    "slug": "stock-on-hand",
    "key": "abc",
    "token": "abc",
    "uidb36": "1",
    "path": "alpha/secret.txt",
}
_ROUTE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    url: str
    params: tuple[str, ...]
    view: object
    name: str

    @property
    def view_func(self):
        return self.view


def _value(converter: str, name: str) -> str:
    if converter == "uuid":
        return str(FOREIGN_UUID)
    if converter == "int" or name.endswith("pk") or name.endswith("_id") or name == "pk":
        return str(FOREIGN_ID)
    return STRING_VALUES.get(name, "x")


def _walk(resolver, prefix="", namespace=""):
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from _walk(pattern, text, ns)
        else:
            yield text, pattern, namespace + (pattern.name or "")


def tenant_routes(values: dict[str, dict[str, str]] | None = None) -> list[Route]:
    """One concrete URL per pattern; format-suffix and /api/v1/ twins are left out.

    ``values`` overrides the filled-in value of a parameter for one route:
    ``{"route:name": {"token": "..."}}``.
    """
    values = values or {}
    routes, seen = [], set()
    for text, pattern, name in _walk(get_resolver(TENANT_URLCONF)):
        if "(?P<format>" in text or "<drf_format_suffix" in text or text.startswith("api/v1/"):
            continue
        given = values.get(name, {})

        def fill(converter, param, given=given):
            return given.get(param) or _value(converter, param)

        # Regex groups first: ``(?P<pk>...)`` contains ``<pk>``, which the path-converter
        # pattern would otherwise eat (the API's router routes were silently left out).
        params = _REGEX_PARAM.findall(text)
        url = _REGEX_PARAM.sub(lambda m: fill("str", m.group(1)), text)
        params += [name_ for _, name_ in _ROUTE_PARAM.findall(url)]
        url = _ROUTE_PARAM.sub(lambda m: fill(m.group(1) or "str", m.group(2)), url)
        url = "/" + re.sub(r"[\^$\\?]", "", url)
        try:
            match = resolve(url, urlconf=TENANT_URLCONF)
        except Resolver404:
            continue
        if match.func is not pattern.callback or url in seen:
            continue
        seen.add(url)
        routes.append(Route(url=url, params=tuple(params), view=pattern.callback, name=name))
    return routes


def view_capability(view) -> str | None:
    """The capability a GET of this view needs, from the decorator, the mixin or the API table."""
    capability = getattr(view, "required_capability", None)
    if capability:
        return capability
    cls = getattr(view, "view_class", None) or getattr(view, "cls", None)
    if cls is None:
        return None
    if getattr(cls, "capability", ""):
        return cls.capability
    table = getattr(cls, "capabilities", None) or {}
    actions = getattr(view, "actions", None) or {}
    action = actions.get("get")
    if action and action in table:
        return table[action]
    if actions and not action:
        # A POST-only API action (approve, ship…): ApiPermission checks it as a write.
        action = next(iter(actions.values()))
        return table.get(action) or table.get("write")
    return table.get("read")
