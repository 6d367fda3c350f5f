"""The getting-started checklist at the top of a new company's dashboard. The KPI
cards and charts are widgets (``apps/dashboard/widgets/``)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from apps.accounts.models import User


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


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
