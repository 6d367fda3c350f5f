"""Large reports as background jobs: start one, build its file in the worker, purge old files.

A report whose estimated rows exceed ``REPORTS_BACKGROUND_ROWS`` (setting, default 20,000) is
not rendered in the request: a ReportFile row is created and a job renders it to the
company's report storage with a progress bar; the file stays downloadable for seven days.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import zoneinfo

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from apps.core.jobs import job_enqueue, job_progress_update
from apps.reports.base import Result
from apps.reports.models import ReportFile
from apps.reports.registry import report_get
from apps.reports.renderers import files
from apps.reports.storage import KEEP_DAYS, report_storage

logger = logging.getLogger(__name__)


def background_threshold() -> int:
    return int(getattr(settings, "REPORTS_BACKGROUND_ROWS", 20_000))


def _now() -> dt.datetime:
    return timezone.now()


def report_file_start(
    *, slug: str, query: dict, sort: str, fmt: str, params_text: str, estimated: int, user
) -> ReportFile:
    """``query``: the report's parameters as the page sent them (re-validated by the job)."""
    report = report_get(slug)
    with transaction.atomic():
        record = ReportFile.objects.create(
            report_slug=slug,
            title=report.title,
            params=query,
            params_text=params_text[:500],
            sort=sort[:60],
            fmt=fmt,
            estimated_rows=estimated,
            created_by=user,
            expires_at=_now() + dt.timedelta(days=KEEP_DAYS),
        )
        job = job_enqueue(
            "apps.reports.jobs.report_file_build",
            str(record.pk),
            progress=True,
            label=f"{report.title} ({fmt.upper()})",
        )
        record.job_id = job.pk
        record.save(update_fields=["job_id"])
    return record


def _company_zone():
    from apps.tenants.models import Tenant

    tenant = Tenant.objects.filter(schema_name=connection.schema_name).first()
    try:
        return zoneinfo.ZoneInfo(tenant.time_zone if tenant else "UTC")
    except (KeyError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def report_file_build(file_id: str, job_id: str | None = None) -> str:
    """The job: render the report into the company's storage; returns the stored path."""
    record = ReportFile.objects.get(pk=file_id)
    ReportFile.objects.filter(pk=record.pk).update(status=ReportFile.Status.RUNNING)
    url = reverse("reports:file", args=[record.pk])
    try:
        with timezone.override(_company_zone()):  # presets and dates in the company's zone
            report = report_get(record.report_slug)
            form = report.form(record.params)
            if not form.is_valid():
                raise ValueError("The report's choices are no longer valid; run it again.")
            result = Result(report, form.cleaned_data, record.sort)
            expected = max(record.estimated_rows, 1)

            def progress(count: int) -> None:
                job_progress_update(
                    job_id, min(95, count * 95 // expected), f"{count:,} rows written"
                )

            with tempfile.TemporaryFile() as spool:
                files.write(
                    result, record.fmt, spool, params_text=record.params_text, progress=progress
                )
                spool.seek(0)
                storage = report_storage()
                path = storage.save(f"{record.pk}.{record.fmt}", File(spool))
    except Exception as exc:
        ReportFile.objects.filter(pk=record.pk).update(
            status=ReportFile.Status.FAILED, error=str(exc)[:1000], finished_at=_now()
        )
        raise
    ReportFile.objects.filter(pk=record.pk).update(
        status=ReportFile.Status.READY,
        path=path,
        size=report_storage().size(path),
        finished_at=_now(),
    )
    job_progress_update(job_id, 100, "Ready to download", result_url=url)
    if record.created_by_id:  # they may have left the progress page: the bell tells them
        from apps.notifications.services import notification_send

        notification_send(
            kind="job_finished",
            title=f"Your report is ready: {record.title} ({record.fmt.upper()})",
            body="Download it within 7 days.",
            url=url,
            users=[record.created_by],
            email=False,
        )
    return path


def report_files_purge() -> int:
    """Delete files (and their rows) past their seven days. Run daily for every company."""
    storage = report_storage()
    expired = list(ReportFile.objects.filter(expires_at__lte=_now()))
    for record in expired:
        if record.path and storage.exists(record.path):
            storage.delete(record.path)
    ReportFile.objects.filter(pk__in=[r.pk for r in expired]).delete()
    return len(expired)
