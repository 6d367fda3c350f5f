"""Background jobs for large imports: load the batch by id, call the service, report progress."""

from __future__ import annotations

from django.utils import timezone

from apps.core.jobs import job_progress_update
from apps.importexport import services
from apps.importexport.models import ImportBatch


def _run(batch_id: int, job_id: str | None, work) -> None:
    batch = ImportBatch.objects.select_related("created_by", "confirmed_by").get(pk=batch_id)
    url = services.batch_url(batch)
    try:
        work(batch, lambda percent, message: job_progress_update(job_id, percent, message))
    except Exception:
        # The job shows as failed; the batch must not stay "checking" or "importing" forever.
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED,
            message=services.UNEXPECTED,
            finished_at=timezone.now(),
        )
        raise
    job_progress_update(job_id, 100, "Finished", result_url=url)


def import_batch_validate_job(batch_id: int, job_id: str | None = None) -> None:
    _run(batch_id, job_id, lambda b, p: services.import_batch_validate(batch=b, progress=p))


def import_batch_apply_job(batch_id: int, job_id: str | None = None) -> None:
    _run(batch_id, job_id, lambda b, p: services.import_batch_apply(batch=b, progress=p))
