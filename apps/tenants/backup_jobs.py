"""Console-started backup and restore, run by the worker in the public schema."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from apps.core.jobs import job_progress_update
from apps.tenants.models import Tenant


class _Actor:
    def __init__(self, email: str):
        self.email = email


def _backups_url(tenant_id: int) -> str:
    return reverse("console:backups", args=[tenant_id], urlconf=settings.PUBLIC_SCHEMA_URLCONF)


def backup_run(tenant_id: int, actor_email: str = "", job_id: str | None = None) -> str:
    from apps.tenants.backup import tenant_backup
    from apps.tenants.services.lifecycle import console_action_record

    tenant = Tenant.objects.get(pk=tenant_id)
    job_progress_update(job_id, 10, f"Dumping {tenant.name}…")
    path = tenant_backup(tenant=tenant)
    console_action_record(
        tenant=tenant, actor=_Actor(actor_email), action="backup", detail=path.name
    )
    job_progress_update(job_id, 100, "Backup written.", result_url=_backups_url(tenant_id))
    return path.name


def restore_run(
    tenant_id: int,
    name: str,
    as_slug: str = "",
    actor_email: str = "",
    job_id: str | None = None,
) -> str:
    """Restore backup ``name`` of company ``tenant_id``: as ``as_slug`` when given, else over it."""
    from apps.tenants.backup import backup_find
    from apps.tenants.backup_restore import tenant_restore

    source = Tenant.objects.get(pk=tenant_id)
    backup = backup_find(source.slug, name)
    job_progress_update(job_id, 10, f"Restoring {name}…")
    restored = tenant_restore(
        path=backup.path,
        as_slug=as_slug or source.slug,
        force=not as_slug,
        actor=_Actor(actor_email),
    )
    detail = reverse("console:detail", args=[restored.pk], urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    job_progress_update(job_id, 100, f"Restored into {restored.slug}.", result_url=detail)
    return restored.slug
