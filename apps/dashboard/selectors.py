"""What the dashboard shows. KPIs arrive with the catalog, stock and sales apps;
until then each card says plainly that there is nothing yet."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from apps.accounts.models import User


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def dashboard_kpis() -> list[dict]:
    return [
        {"label": "Products", "icon": "box-seam", "value": 0, "empty": "No products yet"},
        {
            "label": "Stock value",
            "icon": "cash-stack",
            "value": "—",
            "empty": "No stock recorded yet",
        },
        {"label": "Open sales orders", "icon": "cart3", "value": 0, "empty": "No orders yet"},
        {
            "label": "Low stock",
            "icon": "exclamation-triangle",
            "value": 0,
            "empty": "Nothing below its reorder point",
        },
    ]


def dashboard_checklist(tenant, user) -> list[dict]:
    from allauth.mfa.models import Authenticator

    return [
        {
            "title": "Add your company details",
            "detail": "Address, time zone, currency and your logo.",
            "url": _url("tenant_settings:edit"),
            "done": bool(tenant.address and tenant.contact_email),
        },
        {
            "title": "Invite your team",
            "detail": "Managers, clerks and read-only viewers each get their own login.",
            "url": _url("accounts:team"),
            "done": User.objects.filter(is_active=True).count() > 1,
        },
        {
            "title": "Turn on two-factor authentication",
            "detail": "An authenticator app code on top of your password.",
            "url": _url("mfa_index"),
            "done": Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
        },
    ]
