"""A background report's page (progress, then the download link) and its download.

Both look the file up in the current company's schema, so another company's user gets a
404 even with the exact URL; and both need the role that may export reports.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.accounts.permissions import capability_required
from apps.core.models import JobProgress
from apps.reports.models import ReportFile
from apps.reports.renderers.files import CONTENT_TYPES
from apps.reports.storage import report_storage


def _live(pk) -> ReportFile:
    record = get_object_or_404(ReportFile, pk=pk)
    if record.expires_at <= timezone.now():
        raise Http404("This report file has expired; run the report again.")
    return record


@require_GET
@capability_required("reports.export")
def file_status(request, pk):
    record = _live(pk)
    job = None
    if record.job_id:
        job = JobProgress.objects.filter(
            pk=record.job_id, schema_name=request.tenant.schema_name
        ).first()
    return render(request, "reports/file.html", {"file": record, "job": job})


@require_GET
@capability_required("reports.export")
def file_download(request, pk):
    record = _live(pk)
    if record.status != ReportFile.Status.READY:
        raise Http404("This report is not ready yet.")
    storage = report_storage()
    if not storage.exists(record.path):
        raise Http404("This report file is no longer kept; run the report again.")
    return FileResponse(
        storage.open(record.path, "rb"),
        as_attachment=True,
        filename=f"{record.report_slug}-{timezone.localtime(record.created_at):%Y-%m-%d}.{record.fmt}",
        content_type=CONTENT_TYPES[record.fmt],
    )
