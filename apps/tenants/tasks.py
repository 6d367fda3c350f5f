"""Jobs about companies. Each runs through apps.core.jobs.run_in_schema."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.jobs import job_progress_update
from apps.tenants.models import Tenant


def _provision(tenant_id: int, job_id: str | None, populate: Callable[[Tenant], object]):
    """Create a registered company's schema and run ``populate`` inside it, all in one
    transaction (CREATE SCHEMA is transactional in PostgreSQL): the schema, its first
    rows and the status change appear together or not at all. On failure the company
    row goes too, so its subdomain is free again."""
    from apps.tenants.services.lifecycle import tenant_delete_now
    from apps.tenants.services.provisioning import tenant_schema_create

    tenant = Tenant.objects.get(pk=tenant_id)
    job_progress_update(job_id, 10, "Creating the company's database…")
    try:
        with transaction.atomic():
            tenant_schema_create(tenant=tenant)
            with schema_context(tenant.schema_name):
                result = populate(tenant)
            tenant.status = Tenant.Status.ACTIVE
            tenant.save(update_fields=["status", "user_count"])
    except Exception:
        connection.set_schema_to_public()
        tenant_delete_now(tenant=tenant)
        raise
    return tenant, result


def provision_signup(
    tenant_id: int,
    owner_email: str,
    owner_password_hash: str,
    owner_name: str,
    job_id: str | None = None,
) -> None:
    """Finish a sign-up: create the schema and the owner, then hand the browser over, signed in."""
    from apps.accounts.models import Role, User
    from apps.tenants.services.handoff import handoff_url

    def create_owner(tenant: Tenant) -> User:
        tenant.user_count = 1
        return User.objects.create(
            email=owner_email, full_name=owner_name, role=Role.OWNER, password=owner_password_hash
        )

    tenant, owner = _provision(tenant_id, job_id, create_owner)
    job_progress_update(
        job_id, 100, "Ready!", result_url=handoff_url(tenant=tenant, user_id=owner.pk)
    )


def provision_for_customer(
    tenant_id: int, owner_email: str, actor_email: str = "", job_id: str | None = None
) -> None:
    """The console's "create company": create the schema and invite the owner, who picks a password."""
    from apps.accounts.services.invitations import invitation_create
    from apps.tenants.services.lifecycle import console_action_record

    def invite_owner(tenant: Tenant) -> None:
        invitation_create(tenant=tenant, email=owner_email, role="owner")
        with schema_context("public"):
            console_action_record(
                tenant=tenant,
                actor=_Actor(actor_email),
                action="create",
                detail=f"owner invited: {owner_email}",
            )

    tenant, _ = _provision(tenant_id, job_id, invite_owner)
    detail = reverse("console:detail", args=[tenant.pk], urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    job_progress_update(job_id, 100, "Ready — the owner has been invited.", result_url=detail)


class _Actor:
    """Who asked for the job, for the console log (the job runs without a request)."""

    def __init__(self, email: str):
        self.email = email


def tenant_stats_refresh() -> None:
    """Runs inside one company's schema: store its user and SKU counts for the console."""
    from apps.accounts.models import User

    schema = connection.schema_name
    users = User.objects.filter(is_active=True).count()
    # SKUs arrive with the catalog app; until its table exists the count is zero.
    skus = 0
    with schema_context("public"):
        Tenant.objects.filter(schema_name=schema).update(
            user_count=users, sku_count=skus, stats_updated_at=timezone.now()
        )


def purge_closed_tenants() -> list[str]:
    from apps.tenants.services.lifecycle import tenants_purge_expired

    return tenants_purge_expired()
