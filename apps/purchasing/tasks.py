"""Scheduled purchasing work, one job per company (see ensure_schedules: fan_out)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string

from apps.accounts.models import Role, User
from apps.purchasing.config import current_company, purchasing_settings
from apps.purchasing.models import PurchasingSettings
from apps.purchasing.replenishment import (
    Pick,
    purchase_orders_from_suggestions,
    reorder_suggestions,
)

Mode = PurchasingSettings.Replenishment


def replenishment_run() -> str:
    """The daily reorder run, as the company's setting says: off, email the suggestions,
    or create draft purchase orders (for suggestions with a preferred supplier in the
    company's currency; the others are left on the suggestions page)."""
    mode = purchasing_settings().replenishment_mode
    if mode == Mode.OFF:
        return "off"
    suggestions = reorder_suggestions()
    company = current_company()
    if mode == Mode.DRAFTS:
        currency = getattr(company, "currency", "USD")
        picks = [
            Pick(s.variant.pk, s.warehouse.pk, s.quantity)
            for s in suggestions
            if s.supplier is not None and s.supplier.currency == currency
        ]
        orders = purchase_orders_from_suggestions(picks=picks) if picks else []
        return f"{len(orders)} draft purchase orders"
    if not suggestions:
        return "nothing to reorder"
    recipients = list(
        User.objects.filter(is_active=True, role__in=[Role.OWNER, Role.MANAGER]).values_list(
            "email", flat=True
        )
    )
    url = company.site_url("/purchasing/suggestions/") if company else "/purchasing/suggestions/"
    body = render_to_string(
        "purchasing/email/suggestions.txt", {"suggestions": suggestions[:50], "url": url}
    )
    send_mail(f"{len(suggestions)} items to reorder", body, None, recipients)
    return f"emailed {len(suggestions)} suggestions"
