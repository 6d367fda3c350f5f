"""Inventory jobs, run per company through apps.core.jobs."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string

from apps.accounts.models import Role, User
from apps.inventory.selectors import low_stock

DIGEST_LIMIT = 50


def low_stock_digest() -> int:
    """Email owners and managers the variants at or below their reorder point. Returns
    the number of variants reported (0: no email is sent)."""
    items = list(low_stock()[: DIGEST_LIMIT + 1])
    if not items:
        return 0
    recipients = list(
        User.objects.filter(is_active=True, role__in=[Role.OWNER, Role.MANAGER]).values_list(
            "email", flat=True
        )
    )
    if not recipients:
        return 0
    tenant = getattr(connection, "tenant", None)
    from apps.tenants.models import Tenant

    company = Tenant.objects.filter(schema_name=connection.schema_name).first() or tenant
    context = {
        "company": company,
        "items": items[:DIGEST_LIMIT],
        "more": len(items) > DIGEST_LIMIT,
        "url": company.site_url("/inventory/low-stock/"),
    }
    send_mail(
        subject=f"{company.name}: {len(items[:DIGEST_LIMIT])}{'+' if context['more'] else ''} items low on stock",
        message=render_to_string("inventory/email/low_stock_digest.txt", context),
        from_email=None,
        recipient_list=recipients,
    )
    return len(items[:DIGEST_LIMIT])
