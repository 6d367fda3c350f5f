"""Nightly backups and their retention: keep the newest backup of each of the last 7 days
that have one, and of each of the last 4 ISO weeks; delete the rest."""

from __future__ import annotations

import logging

from apps.tenants.backup import BackupFile, backups_for, tenant_backup

logger = logging.getLogger(__name__)

KEEP_DAILY = 7
KEEP_WEEKLY = 4


def backups_to_keep(backups: list[BackupFile]) -> set[BackupFile]:
    keep: set[BackupFile] = set()
    days: set = set()
    weeks: set = set()
    for backup in sorted(backups, key=lambda b: b.created_at, reverse=True):
        day = backup.created_at.date()
        week = day.isocalendar()[:2]
        if day not in days and len(days) < KEEP_DAILY:
            days.add(day)
            keep.add(backup)
        if week not in weeks and len(weeks) < KEEP_WEEKLY:
            weeks.add(week)
            keep.add(backup)
    return keep


def backups_prune(slug: str) -> list[str]:
    """Delete the backups the retention rule does not keep. Returns their file names."""
    backups = backups_for(slug)
    keep = backups_to_keep(backups)
    removed = []
    for backup in backups:
        if backup not in keep:
            backup.path.unlink(missing_ok=True)
            removed.append(backup.name)
    return removed


def backups_nightly() -> dict[str, str]:
    """The scheduled job (public schema): back up every active or closing company, then prune.
    One company failing does not stop the others; the failure is logged and reported."""
    from apps.tenants.models import Tenant

    results = {}
    companies = Tenant.objects.filter(is_template=False).exclude(schema_name="public")
    for tenant in companies.exclude(status=Tenant.Status.PROVISIONING):
        try:
            path = tenant_backup(tenant=tenant)
        except Exception as exc:  # noqa: BLE001 - one bad company must not stop the night's run
            logger.exception("Backup of %s failed", tenant.slug)
            results[tenant.slug] = f"failed: {exc}"
            continue
        backups_prune(tenant.slug)
        results[tenant.slug] = path.name
    return results
