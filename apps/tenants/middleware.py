"""Routes each request to its company's schema by subdomain.

Extends django-tenants' middleware with two user-facing answers: an unknown host
gets a friendly 404 page (via DEFAULT_NOT_FOUND_TENANT_VIEW) and a suspended or
closing company gets a page that says so instead of its data.
"""

from __future__ import annotations

import zoneinfo

from django.shortcuts import render
from django.utils import timezone
from django_tenants.middleware.main import TenantMainMiddleware

from apps.tenants.models import Tenant

# Paths a suspended tenant still serves (assets for the suspended page itself).
_ALWAYS_SERVED = ("/static/", "/favicon.ico", "/healthz")


class TenantMiddleware(TenantMainMiddleware):
    def process_request(self, request):
        response = super().process_request(request)
        if response is not None:
            return response
        tenant = request.tenant
        if tenant.is_public:
            timezone.deactivate()
            return None
        # Times are stored in UTC and shown in the company's time zone.
        try:
            timezone.activate(zoneinfo.ZoneInfo(tenant.time_zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        if request.path.startswith(_ALWAYS_SERVED):
            return None
        if tenant.status in (Tenant.Status.SUSPENDED, Tenant.Status.CLOSING):
            return render(request, "errors/suspended.html", {"tenant": tenant}, status=403)
        if tenant.status == Tenant.Status.PROVISIONING:
            return render(request, "errors/provisioning.html", {"tenant": tenant}, status=503)
        return None

    def process_response(self, request, response):
        tenant = getattr(request, "tenant", None)
        user = getattr(request, "user", None)
        if (
            tenant is not None
            and not tenant.is_public
            and user is not None
            and user.is_authenticated
        ):
            activity_touch(tenant)
        return response


ACTIVITY_EVERY_SECONDS = 300


def activity_touch(tenant: Tenant) -> None:
    """Record that the company is in use, at most once per ACTIVITY_EVERY_SECONDS (cache-gated)."""
    from django.core.cache import cache

    # cache.add is atomic: only the first request in the window writes.
    if cache.add(f"tenant-activity:{tenant.pk}", 1, ACTIVITY_EVERY_SECONDS):
        Tenant.objects.filter(pk=tenant.pk).update(last_activity_at=timezone.now())
