"""Jobs about companies. Each runs through apps.core.jobs.run_in_schema."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.jobs import job_progress_update
from apps.tenants.models import Tenant


def provision_signup(
    tenant_id: int,
    owner_email: str,
    owner_password_hash: str,
    owner_name: str,
    job_id: str | None = None,
) -> None:
    """Finish a sign-up: clone the schema, create the owner, open the company, hand the browser over."""
    from apps.accounts.models import Role, User
    from apps.tenants.services.handoff import handoff_url
    from apps.tenants.services.lifecycle import tenant_delete_now
    from apps.tenants.services.provisioning import tenant_schema_create

    tenant = Tenant.objects.get(pk=tenant_id)
    job_progress_update(job_id, 10, "Creating your company's database…")
    try:
        # One transaction: the schema (CREATE SCHEMA is transactional in PostgreSQL),
        # the owner and the status change appear together or not at all.
        with transaction.atomic():
            tenant_schema_create(tenant=tenant)
            with schema_context(tenant.schema_name):
                owner = User.objects.create(
                    email=owner_email,
                    full_name=owner_name,
                    role=Role.OWNER,
                    password=owner_password_hash,
                )
            tenant.status = Tenant.Status.ACTIVE
            tenant.user_count = 1
            tenant.save(update_fields=["status", "user_count"])
    except Exception:
        # Leave no half-made company behind: the name becomes free again.
        connection.set_schema_to_public()
        tenant_delete_now(tenant=tenant)
        raise
    job_progress_update(
        job_id, 100, "Ready!", result_url=handoff_url(tenant=tenant, user_id=owner.pk)
    )


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


def provision_for_customer(
    tenant_id: int, owner_email: str, actor_email: str = "", job_id: str | None = None
) -> None:
    """The console's "create company": clone the schema, invite the owner, open the company."""
    from apps.accounts.services.invitations import invitation_create
    from apps.tenants.services.lifecycle import console_action_record, tenant_delete_now
    from apps.tenants.services.provisioning import tenant_schema_create

    tenant = Tenant.objects.get(pk=tenant_id)
    job_progress_update(job_id, 10, "Creating the company's database…")
    try:
        with transaction.atomic():
            tenant_schema_create(tenant=tenant)
            with schema_context(tenant.schema_name):
                # The owner chooses their own password from the invitation email.
                invitation_create(tenant=tenant, email=owner_email, role="owner")
            tenant.status = Tenant.Status.ACTIVE
            tenant.save(update_fields=["status"])
            console_action_record(
                tenant=tenant,
                actor=_Actor(actor_email),
                action="create",
                detail=f"owner invited: {owner_email}",
            )
    except Exception:
        connection.set_schema_to_public()
        tenant_delete_now(tenant=tenant)
        raise
    from django.conf import settings
    from django.urls import reverse

    detail = reverse("console:detail", args=[tenant.pk], urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    job_progress_update(job_id, 100, "Ready — the owner has been invited.", result_url=detail)


class _Actor:
    """Who asked for the job, for the console log (the job runs without a request)."""

    def __init__(self, email: str):
        self.email = email
