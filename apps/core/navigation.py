"""The sidebar of a company's site, in one list.

Sections whose app is not built yet have no URL name and show as "soon", so the
shell is complete without dead links; each later app fills in its entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavEntry:
    label: str
    icon: str
    url_name: str | None
    namespace: str | None = None


NAV = (
    NavEntry("Dashboard", "speedometer2", "dashboard:home", "dashboard"),
    NavEntry("Products", "box-seam", "catalog:products", "catalog"),
    NavEntry("Inventory", "boxes", "inventory:levels", "inventory"),
    NavEntry("Sales", "cart3", "sales:orders", "sales"),
    NavEntry("Customers", "person-lines-fill", "sales:customers:list", "sales:customers"),
    NavEntry("Purchasing", "truck", "purchasing:orders", "purchasing"),
    NavEntry("Forecasts", "graph-up-arrow", "forecasting:overview", "forecasting"),
    NavEntry("Reports", "file-earmark-bar-graph", "reports:index", "reports"),
    NavEntry("Integrations", "plug", "integrations:index", "integrations"),
    NavEntry("Team", "people", "accounts:team", "accounts"),
    NavEntry("Settings", "gear", "tenant_settings:edit", "tenant_settings"),
)


def _url(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _badges(request) -> dict[str, int]:
    """Counts that need attention, shown on their section (cached per company)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from apps.inventory.selectors import low_stock_count

    return {"Inventory": low_stock_count()}


def nav_items(request) -> list[dict]:
    match = getattr(request, "resolver_match", None)
    current = match.namespace if match else None
    badges = _badges(request)
    return [
        {
            "label": entry.label,
            "icon": entry.icon,
            "url": _url(entry.url_name),
            "active": bool(entry.namespace and entry.namespace == current),
            "badge": badges.get(entry.label),
        }
        for entry in NAV
    ]
