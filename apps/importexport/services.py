"""Import batches: upload → validate (the preview; writes nothing) → confirm (one transaction).

Files with more than ``ASYNC_ROWS`` rows are validated and imported by a background
job with a progress bar; smaller ones within the request.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.core.errors import DomainError
from apps.core.jobs import job_enqueue
from apps.importexport.errors import ImportExportError
from apps.importexport.importers import importer_for
from apps.importexport.importers.base import Importer, Row, RowPlan, map_header
from apps.importexport.models import ImportBatch, ImportRow
from apps.importexport.readers import MAX_BYTES, file_format, read_table

ASYNC_ROWS = 500
UNEXPECTED = "Something went wrong on our side; nothing was imported. Try again, or tell us."
PROGRESS_EVERY = 250
Status = ImportBatch.Status
# What validating and importing change on a batch (never the kept file's bytes).
STATE_FIELDS = [
    "status",
    "message",
    "create_count",
    "update_count",
    "unchanged_count",
    "error_count",
    "ignored_columns",
    "validated_at",
    "finished_at",
]
Progress = Callable[[int, str], None]


def _no_progress(percent: int, message: str) -> None:
    pass


def _rows(batch: ImportBatch, importer_cls: type[Importer]) -> tuple[list[Row], list[str]]:
    table = read_table(bytes(batch.content), batch.file_format)
    header = map_header(table.header, importer_cls.columns)
    return [Row(number, cells, header) for number, cells in table.rows], header.ignored


def import_batch_create(*, kind: str, filename: str, content: bytes, user) -> ImportBatch:
    """Keep an upload and check it: within the request when small, else in a job.

    A file that cannot be read at all (empty, binary, no known columns) is refused
    with ImportExportError and nothing is kept.
    """
    importer_cls = importer_for(kind)
    if importer_cls is None:
        raise ImportExportError("Choose what to import.")
    if len(content) > MAX_BYTES:
        raise ImportExportError(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files."
        )
    fmt = file_format(filename, content)
    table = read_table(content, fmt)
    header = map_header(table.header, importer_cls.columns)
    if not table.rows:
        raise ImportExportError("The file has a header but no rows to import.")
    batch = ImportBatch.objects.create(
        kind=kind,
        filename=filename[:255],
        file_format=fmt,
        content=content,
        row_count=len(table.rows),
        ignored_columns=header.ignored,
        created_by=user,
    )
    if batch.row_count > ASYNC_ROWS:
        _enqueue(batch, "apps.importexport.tasks.import_batch_validate_job", "Checking")
        return batch
    try:
        return import_batch_validate(batch=batch)
    except Exception:
        _finish(batch, Status.FAILED, message=UNEXPECTED)
        raise


def _enqueue(batch: ImportBatch, func_path: str, verb: str, *args) -> None:
    job = job_enqueue(
        func_path,
        batch.pk,
        *args,
        progress=True,
        label=f"{verb} {batch.filename}"[:200],
    )
    batch.job_id = job.pk
    batch.save(update_fields=["job_id", "status"])


def _plan(batch: ImportBatch, importer: Importer, rows: list[Row], progress: Progress):
    importer.prepare(rows)
    plans: list[RowPlan] = []
    total = len(rows) or 1
    for index, row in enumerate(rows, start=1):
        plans.append(importer.plan(row))
        if index % PROGRESS_EVERY == 0:
            progress(int(index * 100 / total), f"Checked {index:,} of {total:,} rows")
    return plans


def _store(batch: ImportBatch, plans: list[RowPlan]) -> None:
    batch.rows.all().delete()
    ImportRow.objects.bulk_create(
        [
            ImportRow(
                batch=batch,
                number=p.number,
                action=p.action,
                key=p.key[:255],
                changes=p.changes,
                errors=p.errors,
            )
            for p in plans
        ],
        batch_size=1000,
    )
    counts = {action: 0 for action in ImportRow.Action.values}
    for plan in plans:
        counts[plan.action] += 1
    batch.create_count = counts["create"]
    batch.update_count = counts["update"]
    batch.unchanged_count = counts["unchanged"]
    batch.error_count = counts["error"]


def import_batch_validate(*, batch: ImportBatch, progress: Progress = _no_progress) -> ImportBatch:
    """The preview: plan every row against the current data and keep the result. Writes
    nothing but the batch's own rows."""
    importer_cls = importer_for(batch.kind)
    try:
        rows, ignored = _rows(batch, importer_cls)
    except ImportExportError as exc:
        return _finish(batch, Status.INVALID, message=exc.message)
    plans = _plan(batch, importer_cls(user=batch.created_by, batch=batch), rows, progress)
    with transaction.atomic():
        _store(batch, plans)
        batch.ignored_columns = ignored
        batch.validated_at = timezone.now()
        batch.status = Status.INVALID if batch.error_count else Status.READY
        batch.message = ""
        batch.save(update_fields=STATE_FIELDS)
    return batch


def import_batch_confirm(*, batch: ImportBatch, user) -> ImportBatch:
    """Import a checked batch: now when small, else in a job. Refused unless it is ready."""
    with transaction.atomic():
        # Two clicks (or two people) confirming at once: only the first one imports.
        updated = ImportBatch.objects.filter(pk=batch.pk, status=Status.READY).update(
            status=Status.IMPORTING, confirmed_by=user, confirmed_at=timezone.now()
        )
        if not updated:
            raise ImportExportError(
                "This import is not ready to confirm (it ran or changed already)."
            )
        batch.refresh_from_db()
        if batch.row_count > ASYNC_ROWS:
            _enqueue(batch, "apps.importexport.tasks.import_batch_apply_job", "Importing")
            return batch
    try:
        return import_batch_apply(batch=batch)
    except Exception:
        # A bug, not a bad row: the batch must not stay "importing" forever.
        _finish(batch, Status.FAILED, message=UNEXPECTED)
        raise


def import_batch_apply(*, batch: ImportBatch, progress: Progress = _no_progress) -> ImportBatch:
    """Check every row again (data may have changed since the preview), then write them
    all in one transaction: one failing row rolls everything back."""
    importer_cls = importer_for(batch.kind)
    user = batch.confirmed_by or batch.created_by
    importer = importer_cls(user=user, batch=batch)
    try:
        rows, _ = _rows(batch, importer_cls)
    except ImportExportError as exc:
        return _finish(batch, Status.FAILED, message=exc.message)
    plans = _plan(batch, importer, rows, lambda p, m: progress(p // 3, m))
    if any(p.action == "error" for p in plans):
        with transaction.atomic():
            _store(batch, plans)
            return _finish(
                batch,
                Status.INVALID,
                message="The data changed since the preview: the rows below have problems now. "
                "Nothing was imported.",
            )
    to_apply = [p for p in importer.apply_order(plans) if p.action in ("create", "update")]
    current: RowPlan | None = None  # the row being written when something fails
    reason: str | None = None
    try:
        with transaction.atomic():
            importer.before_apply(to_apply)
            if importer.apply_many is not None:
                importer.apply_many(to_apply)
                to_apply = []
            for index, current in enumerate(to_apply, start=1):
                importer.apply(current)
                if index % PROGRESS_EVERY == 0:
                    progress(
                        33 + int(index * 66 / len(to_apply)),
                        f"Imported {index:,} of {len(to_apply):,} rows",
                    )
    except DomainError as exc:
        reason = exc.message
    except DatabaseError as exc:
        reason = f"The database refused it ({str(exc).splitlines()[0][:200]})."
    if reason is not None:
        with transaction.atomic():
            where = "The import failed"
            if current is not None:
                where = f"Row {current.number} failed"
                ImportRow.objects.filter(batch=batch, number=current.number).update(
                    action=ImportRow.Action.ERROR, errors=[{"column": "", "message": reason}]
                )
            batch.error_count = ImportRow.objects.filter(batch=batch, action="error").count()
            return _finish(batch, Status.FAILED, message=f"{where}: {reason} Nothing was imported.")
    with transaction.atomic():
        _store(batch, plans)
        return _finish(batch, Status.DONE)


def _finish(batch: ImportBatch, status: str, *, message: str = "") -> ImportBatch:
    batch.status = status
    batch.message = message
    batch.finished_at = timezone.now() if status in (Status.DONE, Status.FAILED) else None
    batch.save(update_fields=STATE_FIELDS)
    return batch


def import_batch_recheck(*, batch: ImportBatch) -> ImportBatch:
    """Check a kept upload again (after fixing the data it refers to), without a re-upload."""
    with transaction.atomic():
        updated = ImportBatch.objects.filter(
            pk=batch.pk, status__in=[Status.INVALID, Status.FAILED]
        ).update(status=Status.VALIDATING, message="", finished_at=None)
        if not updated:
            raise ImportExportError("Only an import with errors can be checked again.")
        batch.refresh_from_db()
        if batch.row_count > ASYNC_ROWS:
            _enqueue(batch, "apps.importexport.tasks.import_batch_validate_job", "Checking")
            return batch
    return import_batch_validate(batch=batch)


def import_batch_discard(*, batch: ImportBatch) -> ImportBatch:
    if batch.status not in (Status.READY, Status.INVALID, Status.FAILED):
        raise ImportExportError("Only an import that has not run can be discarded.")
    with transaction.atomic():
        batch.rows.all().delete()
        ImportBatch.objects.filter(pk=batch.pk).update(content=b"")
        return _finish(batch, Status.DISCARDED, message="Discarded; nothing was imported.")


def batch_url(batch: ImportBatch) -> str:
    return reverse("importexport:batch", args=[batch.pk])
