"""Scheduled work (fanned out to every company by ensure_schedules)."""

from apps.audit.services import audit_purge


def audit_log_purge() -> int:
    return audit_purge()
