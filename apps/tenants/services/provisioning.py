"""Creating a company: its tenant row, domain, schema (cloned from the template) and owner.

Cloning the always-migrated template schema copies tables, indexes, constraints,
sequences and the migration history in one SQL function call, which is many
times faster than running every migration for each new company.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import schema_context, schema_exists

from apps.accounts.models import Role, User
from apps.tenants.models import Domain, Plan, Tenant
from apps.tenants.services.cloning import schema_clone
from apps.tenants.services.errors import TenantError
from apps.tenants.services.subdomains import schema_name_for, subdomain_validate


def tenant_domain_for(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def tenant_register(
    *,
    name: str,
    subdomain: str,
    plan: Plan | None = None,
    time_zone: str = "UTC",
    currency: str = "USD",
    status: str = Tenant.Status.PROVISIONING,
) -> Tenant:
    """Record a new company (row + domain) without creating its schema yet."""
    name = (name or "").strip()
    if not name:
        raise TenantError("Enter your company's name.", field="company_name")
    slug = subdomain_validate(subdomain)
    with transaction.atomic():
        tenant = Tenant.objects.create(
            schema_name=schema_name_for(slug),
            slug=slug,
            name=name,
            plan=plan or Plan.objects.filter(is_default=True).first(),
            time_zone=time_zone,
            currency=currency,
            status=status,
        )
        Domain.objects.create(domain=tenant_domain_for(slug), tenant=tenant, is_primary=True)
    return tenant


def tenant_schema_create(*, tenant: Tenant) -> None:
    """Create the company's schema by cloning the template schema."""
    base = settings.TENANT_BASE_SCHEMA
    if not schema_exists(base):
        raise TenantError("The template schema is missing: run `manage.py migrate_schemas` first.")
    with transaction.atomic():
        # The copy includes django_migrations, so the new schema is at the
        # template's migration state without running (or faking) anything.
        schema_clone(base, tenant.schema_name)
    connection.set_schema_to_public()


def tenant_owner_create(
    *, tenant: Tenant, email: str, password: str | None, full_name: str = ""
) -> User:
    with schema_context(tenant.schema_name):
        return User.objects.create_user(
            email=email, password=password, full_name=full_name, role=Role.OWNER
        )


def tenant_provision(
    *,
    name: str,
    subdomain: str,
    owner_email: str,
    owner_password: str | None,
    owner_name: str = "",
    plan: Plan | None = None,
    time_zone: str = "UTC",
    currency: str = "USD",
) -> Tenant:
    """Create a whole company in one go (used by the console, seeding and tests)."""
    with transaction.atomic():
        tenant = tenant_register(
            name=name, subdomain=subdomain, plan=plan, time_zone=time_zone, currency=currency
        )
        tenant_schema_create(tenant=tenant)
        tenant_owner_create(
            tenant=tenant, email=owner_email, password=owner_password, full_name=owner_name
        )
        tenant.status = Tenant.Status.ACTIVE
        tenant.save(update_fields=["status"])
    return tenant
