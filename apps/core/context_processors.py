from __future__ import annotations

from django.conf import settings


def shell(request):
    """What every page's layout needs: the current company and its branding."""
    tenant = getattr(request, "tenant", None)
    is_public = tenant is None or tenant.schema_name == "public"
    return {
        "current_tenant": None if is_public else tenant,
        "is_public_site": is_public,
        "accent_colour": (
            tenant.accent_colour if tenant is not None and not is_public else "#0d6efd"
        ),
        "base_domain": settings.BASE_DOMAIN,
    }
