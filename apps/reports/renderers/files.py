"""CSV (streamed), XLSX (typed cells, number formats, frozen header, totals) and PDF.

Each format has a writer that needs no request (``csv_write``, ``xlsx_write_report``,
``pdf_bytes``) — used by background report jobs and scheduled emails — and a response
built on it for the page's download buttons. Totals are always the definition's own
(``Report.totals_start/add/finish``), so every format shows the same ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.db import connection
from django.http import FileResponse, HttpResponse
from django.utils import timezone

from apps.core.exports import _csv_value, csv_response
from apps.core.pdf import render_pdf
from apps.reports.base import Result
from apps.reports.renderers.values import as_text

XLSX_FORMATS = {
    "qty": "#,##0.###",
    "money": "#,##0.00",
    "percent": "0.0",
    "ratio": "0.00",
    "int": "#,##0",
}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": "text/csv", "xlsx": XLSX_CONTENT_TYPE, "pdf": "application/pdf"}

Progress = Callable[[int], None] | None


def filename(result: Result, extension: str) -> str:
    return f"{result.report.slug}-{timezone.localdate().isoformat()}.{extension}"


def _rows_with_totals(result: Result, progress: Progress = None) -> Iterator[tuple[str, dict]]:
    """("row", row) for every row, then ("total", totals) when the report has totals."""
    report = result.report
    sums = report.totals_start()
    for count, row in enumerate(result.iter_rows(), start=1):
        report.totals_add(sums, row)
        if progress is not None and count % 500 == 0:
            progress(count)
        yield "row", row
    if sums:
        yield "total", report.totals_finish(sums)


def csv_lines(result: Result, progress: Progress = None) -> Iterator[list[str]]:
    columns = result.report.columns
    for what, row in _rows_with_totals(result, progress):
        if what == "row":
            yield [as_text(row.get(c.key), c.kind) for c in columns]
        else:
            yield [
                "Total" if i == 0 else as_text(row[c.key], c.kind) if c.key in row else ""
                for i, c in enumerate(columns)
            ]


def render_csv(result: Result):
    columns = result.report.columns
    return csv_response(filename(result, "csv"), [c.label for c in columns], csv_lines(result))


def csv_write(result: Result, target, progress: Progress = None) -> None:
    """Write the CSV (UTF-8 with BOM) to a binary file object."""
    import io

    text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    text.write("\ufeff")
    writer = csv.writer(text)
    writer.writerow([c.label for c in result.report.columns])
    for line in csv_lines(result, progress):
        writer.writerow([_csv_value(v) for v in line])
    text.detach()


def _cell_value(value, kind: str):
    if value is None:
        return None
    if kind in {"qty", "money", "percent", "ratio"}:
        return float(Decimal(value))  # spreadsheets store doubles; the format shows the places
    if kind == "int":
        return int(value)
    if kind == "datetime" and isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def xlsx_write_report(result: Result, target, progress: Progress = None) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = result.report.columns
    book = Workbook(write_only=True)
    # Sheet names may not hold []:*?/\ and are at most 31 characters.
    sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", "-", result.report.title)[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 14 if column.numeric else 24
    bold = Font(bold=True)

    def cell(value, kind="text", strong=False):
        c = WriteOnlyCell(sheet, value=_cell_value(value, kind))
        if kind in XLSX_FORMATS:
            c.number_format = XLSX_FORMATS[kind]
        elif kind == "date":
            c.number_format = "yyyy-mm-dd"
        elif kind == "datetime":
            c.number_format = "yyyy-mm-dd hh:mm"
        if strong:
            c.font = bold
        return c

    sheet.append([cell(c.label, strong=True) for c in columns])
    for what, row in _rows_with_totals(result, progress):
        if what == "row":
            sheet.append([cell(row.get(c.key), c.kind) for c in columns])
        else:
            sheet.append(
                [
                    cell("Total", strong=True)
                    if i == 0
                    else cell(row[c.key], c.kind, strong=True)
                    if c.key in row
                    else cell(None)
                    for i, c in enumerate(columns)
                ]
            )
    book.save(target)


def render_xlsx(result: Result):
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    xlsx_write_report(result, spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename(result, "xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )


def _current_tenant():
    from apps.tenants.models import Tenant

    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant) and tenant.schema_name == connection.schema_name:
        return tenant
    # A job's schema_context sets a stand-in without the company's name: load the real one.
    return Tenant.objects.filter(schema_name=connection.schema_name).first()


def pdf_bytes(result: Result, *, params_text: str, request=None) -> bytes:
    """The report as a table, or above ``COMPACT_ROWS`` rows as a compact listing (one text
    line a row: weasyprint's per-cell layout makes long tables take minutes)."""
    from apps.reports.renderers.compact import COMPACT_ROWS, compact_lines, compact_pages

    context = {
        "result": result,
        "report": result.report,
        "rows": result.rows,
        "totals": result.totals,
        "params_text": params_text,
        "generated_at": timezone.now(),
    }
    if request is None:  # a job: no context processor supplies the company
        context["current_tenant"] = _current_tenant()
    if len(result.rows) <= COMPACT_ROWS:
        return render_pdf("reports/pdf.html", context, request=request)
    landscape = result.report.landscape
    header, lines, total_line = compact_lines(
        result.report.columns, result.rows, result.totals, landscape=landscape
    )
    context.update(
        header=header,
        rule="─" * len(header),
        pages=compact_pages(lines, landscape=landscape),
        row_count=len(lines),
        total_line=total_line,
    )
    return render_pdf("reports/pdf_compact.html", context, request=request)


def render_pdf_response(result: Result, *, request, params_text: str) -> HttpResponse:
    response = HttpResponse(
        pdf_bytes(result, params_text=params_text, request=request),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(result, "pdf")}"'
    return response


def write(result: Result, fmt: str, target, *, params_text: str = "", progress: Progress = None):
    """Write ``result`` as ``fmt`` (csv, xlsx, pdf) to a binary file object."""
    if fmt == "csv":
        csv_write(result, target, progress)
    elif fmt == "xlsx":
        xlsx_write_report(result, target, progress)
    elif fmt == "pdf":
        target.write(pdf_bytes(result, params_text=params_text))
    else:
        raise ValueError(f"Unknown report format {fmt!r}")
