"""A company's full data export: a ZIP with every table of its schema as CSV and JSON.

Built by a background job with progress (one step per table). Rows are streamed from
PostgreSQL (COPY for CSV, row_to_json for JSON), so a large table never sits in memory.
Secrets stay out: session and MFA tables are skipped, and password hashes, token hashes
and encrypted credentials are left out of their tables. Files live outside MEDIA_ROOT
and are served only by a view that checks the user is an owner of this company.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from apps.core.jobs import job_enqueue, job_progress_update
from apps.privacy.models import CompanyExport, PrivacyRequest
from apps.privacy.records import privacy_request_record

SKIPPED_TABLES = {"django_session", "mfa_authenticator"}
SKIPPED_PREFIXES = ("token_blacklist_",)
REDACTED_COLUMNS = {
    "password", "token_hash", "key_hash", "secret_encrypted", "credentials_encrypted",
}  # fmt: skip


def export_root() -> Path:
    root = getattr(settings, "PRIVACY_EXPORT_ROOT", None) or os.environ.get("PRIVACY_EXPORT_ROOT")
    return Path(root) if root else Path(settings.DATA_DIR) / "privacy-exports"


def export_path(export: CompanyExport) -> Path:
    # Under the schema name, so one company's files never sit with another's.
    return export_root() / connection.schema_name / f"{export.token}.zip"


def exported_tables(schema: str) -> list[tuple[str, list[str]]]:
    """``[(table, [columns])]`` in name order, without skipped tables and redacted columns."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c"
            " JOIN information_schema.tables t"
            "   ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
            " WHERE c.table_schema = %s AND t.table_type = 'BASE TABLE'"
            " ORDER BY c.table_name, c.ordinal_position",
            [schema],
        )
        tables: dict[str, list[str]] = {}
        for table, column in cursor.fetchall():
            if table in SKIPPED_TABLES or table.startswith(SKIPPED_PREFIXES):
                continue
            if column not in REDACTED_COLUMNS:
                tables.setdefault(table, []).append(column)
    return list(tables.items())


def company_export_start(*, user) -> CompanyExport:
    """Record the request and queue the job; returns the export (its job shows progress)."""
    with transaction.atomic():
        export = CompanyExport.objects.create(requested_by=user)
        job = job_enqueue(
            "apps.privacy.company_export.company_export_build",
            export.pk,
            label="Company data export",
            progress=True,
        )
        export.job_id = str(job.pk)
        export.save(update_fields=["job_id"])
        privacy_request_record(
            kind=PrivacyRequest.Kind.COMPANY_EXPORT,
            subject="All company data",
            user=user,
            detail={"export": str(export.token)},
        )
    return export


def _select(schema: str, table: str, columns: list[str]) -> sql.Composed:
    return sql.SQL("SELECT {} FROM {}.{} ORDER BY 1").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in columns),
        sql.Identifier(schema),
        sql.Identifier(table),
    )


def _write_table(archive: zipfile.ZipFile, schema: str, table: str, columns: list[str]) -> None:
    query = _select(schema, table, columns)
    raw = connection.connection  # psycopg 3: COPY and server-side cursors
    with archive.open(f"csv/{table}.csv", "w") as out, raw.cursor() as cursor:
        with cursor.copy(sql.SQL("COPY ({}) TO STDOUT WITH CSV HEADER").format(query)) as copy:
            for chunk in copy:
                out.write(bytes(chunk))
    with archive.open(f"json/{table}.json", "w") as out:
        out.write(b"[")
        rows = sql.SQL("SELECT row_to_json(r)::text FROM ({}) r").format(query)
        # A server-side cursor lives in a transaction; one per table keeps it short.
        with transaction.atomic(), raw.cursor(name="privacy_export") as cursor:
            cursor.itersize = 2000
            cursor.execute(rows)
            for index, (line,) in enumerate(cursor):
                out.write((b",\n" if index else b"\n") + line.encode())
        out.write(b"\n]\n")


def company_export_build(export_id: int, job_id: str | None = None) -> str:
    """The job: write the ZIP table by table, reporting progress."""
    export = CompanyExport.objects.get(pk=export_id)
    schema = connection.schema_name
    path = export_path(export)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    try:
        tables = exported_tables(schema)
        connection.ensure_connection()
        # Each table is read as it is at its turn (progress must commit as it goes, so the
        # export cannot be one long snapshot); exports are meant for quiet moments.
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for index, (table, columns) in enumerate(tables, start=1):
                _write_table(archive, schema, table, columns)
                job_progress_update(
                    job_id, int(95 * index / max(len(tables), 1)), f"Exported {table}"
                )
        partial.rename(path)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        CompanyExport.objects.filter(pk=export.pk).update(
            state=CompanyExport.State.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise
    CompanyExport.objects.filter(pk=export.pk).update(
        state=CompanyExport.State.READY,
        file_name=f"{schema}-export-{timezone.now():%Y%m%d-%H%M}.zip",
        size=path.stat().st_size,
        tables=len(tables),
        finished_at=timezone.now(),
    )
    from django.urls import reverse

    job_progress_update(
        job_id, 100, f"{len(tables)} tables exported.", result_url=reverse("privacy:home")
    )
    return str(path)


KEEP_DAYS = 30  # covers a closing company's grace period, so its final export outlives it


def company_exports_purge(*, now=None) -> int:
    """Scheduled per company: delete exports (file and row) older than KEEP_DAYS."""
    from datetime import timedelta

    cutoff = (now or timezone.now()) - timedelta(days=KEEP_DAYS)
    old = list(CompanyExport.objects.filter(created_at__lt=cutoff))
    for export in old:
        export_path(export).unlink(missing_ok=True)
    CompanyExport.objects.filter(pk__in=[e.pk for e in old]).delete()
    return len(old)
