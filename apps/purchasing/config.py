"""The company's purchasing settings: one row, created with defaults when first asked for."""

from __future__ import annotations

from django.db import connection

from apps.purchasing.models import PurchasingSettings


def purchasing_settings() -> PurchasingSettings:
    settings, _ = PurchasingSettings.objects.get_or_create(pk=1)
    return settings


def current_company():
    """The company of the current schema: the request's tenant, or (in jobs and
    ``schema_context``, where django-tenants sets a stand-in) the row itself."""
    from apps.tenants.models import Tenant

    tenant = getattr(connection, "tenant", None)
    if tenant is None or isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.filter(schema_name=connection.schema_name).first()


def company_currency() -> str:
    company = current_company()
    return getattr(company, "currency", "") or "USD"
