"""Create or update the global schedules (idempotent). Per-company work fans out from these."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django_q.models import Schedule

SCHEDULES = [
    # name, func, args, schedule type, minutes
    ("worker heartbeat", "apps.core.tasks.heartbeat", "", Schedule.MINUTES, 1),
    (
        "company stats",
        "apps.core.jobs.fan_out",
        "'apps.tenants.tasks.tenant_stats_refresh'",
        Schedule.MINUTES,
        15,
    ),
    ("purge closed companies", "apps.tenants.tasks.purge_closed_tenants", "", Schedule.DAILY, None),
    ("nightly backups", "apps.tenants.backup_retention.backups_nightly", "", Schedule.DAILY, None),
    (
        "privacy exports purge",
        "apps.core.jobs.fan_out",
        "'apps.privacy.company_export.company_exports_purge'",
        Schedule.DAILY,
        None,
    ),
    (
        "webhook deliveries",
        "apps.core.jobs.fan_out",
        "'apps.api.webhooks.services.deliveries_send_due'",
        Schedule.MINUTES,
        1,
    ),
    (
        "notification emails",
        "apps.core.jobs.fan_out",
        "'apps.notifications.tasks.emails_send_due'",
        Schedule.MINUTES,
        5,
    ),
    (
        "notification digests",
        "apps.core.jobs.fan_out",
        "'apps.notifications.tasks.digests_send'",
        Schedule.DAILY,
        None,
    ),
    (
        "low-stock digest",
        "apps.core.jobs.fan_out",
        "'apps.inventory.tasks.low_stock_digest'",
        Schedule.DAILY,
        None,
    ),
    (
        "report files purge",
        "apps.core.jobs.fan_out",
        "'apps.reports.jobs.report_files_purge'",
        Schedule.DAILY,
        None,
    ),
    (
        "nightly forecasts",
        "apps.core.jobs.fan_out",
        "'apps.forecasting.tasks.forecast_nightly'",
        Schedule.DAILY,
        None,
    ),
    (
        "scheduled reports",
        "apps.core.jobs.fan_out",
        "'apps.notifications.scheduled_reports.scheduled_reports_run'",
        Schedule.MINUTES,
        5,
    ),
    (
        "integration stock push",
        "apps.core.jobs.fan_out",
        "'apps.integrations.tasks.stock_push_due'",
        Schedule.MINUTES,
        5,
    ),
    (
        "notification rules",
        "apps.core.jobs.fan_out",
        "'apps.notifications.rules.rules_evaluate'",
        Schedule.MINUTES,
        15,
    ),
    (
        "integration product import",
        "apps.core.jobs.fan_out",
        "'apps.integrations.tasks.products_sync_due'",
        Schedule.HOURLY,
        None,
    ),
    (
        "amazon polling",
        "apps.core.jobs.fan_out",
        "'apps.integrations.providers.amazon.polling_due'",
        Schedule.MINUTES,
        15,
    ),
    (
        "mailchimp polling",
        "apps.core.jobs.fan_out",
        "'apps.integrations.providers.mailchimp.polling_due'",
        Schedule.HOURLY,
        None,
    ),
    (
        "quickbooks polling",
        "apps.core.jobs.fan_out",
        "'apps.integrations.providers.quickbooks.polling_due'",
        Schedule.HOURLY,
        None,
    ),
    (
        "reorder run",
        "apps.core.jobs.fan_out",
        "'apps.purchasing.tasks.replenishment_run'",
        Schedule.DAILY,
        None,
    ),
    (
        "idempotency keys purge",
        "apps.core.jobs.fan_out",
        "'apps.api.tasks.idempotency_records_purge'",
        Schedule.DAILY,
        None,
    ),
    (
        "webhook log purge",
        "apps.core.jobs.fan_out",
        "'apps.api.webhooks.services.webhook_deliveries_purge'",
        Schedule.DAILY,
        None,
    ),
    (
        "audit log purge",
        "apps.core.jobs.fan_out",
        "'apps.audit.tasks.audit_log_purge'",
        Schedule.DAILY,
        None,
    ),
]


class Command(BaseCommand):
    help = "Create or update the platform's scheduled jobs."

    def handle(self, *args, **options):
        for name, func, args_, kind, minutes in SCHEDULES:
            _, created = Schedule.objects.update_or_create(
                name=name,
                defaults={
                    "func": func,
                    "args": args_ or None,
                    "schedule_type": kind,
                    "minutes": minutes,
                    "repeats": -1,
                },
            )
            self.stdout.write(f"  {'created' if created else 'kept'} schedule: {name}")
