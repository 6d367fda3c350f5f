"""Platform staff actions on a company: suspend, reactivate, schedule and carry out deletion."""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from apps.tenants.models import ConsoleAction, Tenant
from apps.tenants.services.errors import TenantError

DEFAULT_GRACE_DAYS = 30
DROP_ATTEMPTS = 5
DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE for "deadlock detected"


def _now():
    return timezone.now()


def console_action_record(
    *, tenant: Tenant | None, actor, action: str, detail: str = ""
) -> ConsoleAction:
    return ConsoleAction.objects.create(
        tenant=tenant,
        tenant_name=tenant.name if tenant else "",
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        detail=detail[:500],
    )


def tenant_suspend(*, tenant: Tenant, reason: str, actor=None) -> Tenant:
    if tenant.status != Tenant.Status.ACTIVE:
        raise TenantError(f"{tenant.name} is {tenant.get_status_display().lower()}, not active.")
    reason = (reason or "").strip()
    if not reason:
        raise TenantError(
            "Say why the company is suspended; the reason is shown to its users.", field="reason"
        )
    with transaction.atomic():
        tenant.status = Tenant.Status.SUSPENDED
        tenant.suspended_reason = reason[:255]
        tenant.save(update_fields=["status", "suspended_reason"])
        console_action_record(tenant=tenant, actor=actor, action="suspend", detail=reason)
    return tenant


def tenant_reactivate(*, tenant: Tenant, actor=None) -> Tenant:
    if tenant.status not in (Tenant.Status.SUSPENDED, Tenant.Status.CLOSING):
        raise TenantError(f"{tenant.name} is already active.")
    with transaction.atomic():
        tenant.status = Tenant.Status.ACTIVE
        tenant.suspended_reason = ""
        tenant.deletion_scheduled_for = None
        tenant.save(update_fields=["status", "suspended_reason", "deletion_scheduled_for"])
        console_action_record(tenant=tenant, actor=actor, action="reactivate")
    return tenant


def tenant_schedule_deletion(
    *, tenant: Tenant, grace_days: int = DEFAULT_GRACE_DAYS, actor=None
) -> Tenant:
    if tenant.status == Tenant.Status.CLOSING:
        raise TenantError(f"{tenant.name} is already scheduled for deletion.")
    if not 1 <= grace_days <= 365:
        raise TenantError("The grace period is 1 to 365 days.", field="grace_days")
    with transaction.atomic():
        tenant.status = Tenant.Status.CLOSING
        tenant.deletion_scheduled_for = _now() + timedelta(days=grace_days)
        tenant.save(update_fields=["status", "deletion_scheduled_for"])
        console_action_record(
            tenant=tenant,
            actor=actor,
            action="schedule_deletion",
            detail=f"{grace_days} days grace",
        )
    return tenant


def tenant_delete_now(*, tenant: Tenant, actor=None) -> None:
    """Drop the schema and the company's rows. Only for companies whose grace period is over,
    or ones that never finished provisioning."""
    if tenant.is_template or tenant.schema_name == "public":
        raise TenantError("The public site and the template are never deleted.")
    # A request or job still reading the schema can deadlock with DROP SCHEMA (it takes
    # exclusive locks table by table); PostgreSQL then aborts one side, and the drop is
    # simply tried again on a fresh transaction.
    for attempt in range(DROP_ATTEMPTS):
        try:
            with transaction.atomic():
                console_action_record(
                    tenant=None,
                    actor=actor,
                    action="delete",
                    detail=f"{tenant.name} ({tenant.slug})",
                )
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
                tenant.domains.all().delete()
                Tenant.objects.filter(pk=tenant.pk).delete()
            return
        except OperationalError as error:
            deadlock = getattr(error.__cause__, "sqlstate", None) == DEADLOCK_DETECTED
            if not deadlock or attempt == DROP_ATTEMPTS - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def tenants_purge_expired(*, now=None) -> list[str]:
    """Delete every company whose deletion date has passed. Returns their slugs."""
    now = now or _now()
    purged = []
    for tenant in Tenant.objects.filter(
        status=Tenant.Status.CLOSING, deletion_scheduled_for__lte=now
    ):
        tenant_delete_now(tenant=tenant)
        purged.append(tenant.slug)
    return purged
