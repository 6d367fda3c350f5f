from __future__ import annotations

from django.conf import settings

from apps.core.navigation import nav_items

DEFAULT_ACCENT = "#0d6efd"


def _rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    try:
        return ", ".join(str(int(value[i : i + 2], 16)) for i in (0, 2, 4))
    except ValueError:
        return _rgb(DEFAULT_ACCENT)


def shell(request):
    """What every page's layout needs: the current company, its branding and the sidebar."""
    tenant = getattr(request, "tenant", None)
    is_public = tenant is None or tenant.schema_name == "public"
    accent = DEFAULT_ACCENT if is_public else (tenant.accent_colour or DEFAULT_ACCENT)
    return {
        "current_tenant": None if is_public else tenant,
        "is_public_site": is_public,
        "accent_colour": accent,
        "accent_rgb": _rgb(accent),
        "base_domain": settings.BASE_DOMAIN,
        "port_suffix": f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else "",
        # allauth's management pages extend this: the app shell, or the public site's.
        "manage_layout": "public/base.html" if is_public else "base.html",
        "nav_items": [] if is_public else nav_items(request),
    }
