"""CSV (streamed), XLSX (typed cells, number formats, frozen header, totals) and PDF."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal

from django.http import FileResponse
from django.utils import timezone

from apps.core.exports import csv_response
from apps.core.pdf import pdf_response
from apps.reports.base import Result
from apps.reports.renderers.values import as_text

XLSX_FORMATS = {"qty": "#,##0.###", "money": "#,##0.00", "percent": "0.0", "int": "#,##0"}


def _filename(result: Result, extension: str) -> str:
    return f"{result.report.slug}-{timezone.localdate().isoformat()}.{extension}"


def render_csv(result: Result):
    columns = result.report.columns

    def lines():
        sums = {c.key: Decimal(0) for c in columns if c.total}
        for row in result.iter_rows():
            for key in sums:
                sums[key] += Decimal(row.get(key) or 0)
            yield [as_text(row.get(c.key), c.kind) for c in columns]
        if sums:
            yield [
                "Total" if i == 0 else as_text(sums[c.key], c.kind) if c.key in sums else ""
                for i, c in enumerate(columns)
            ]

    return csv_response(_filename(result, "csv"), [c.label for c in columns], lines())


def _cell_value(value, kind: str):
    if value is None:
        return None
    if kind in {"qty", "money", "percent"}:
        return float(Decimal(value))  # spreadsheets store doubles; the format shows the places
    if kind == "int":
        return int(value)
    if kind == "datetime" and isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def render_xlsx(result: Result):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = result.report.columns
    book = Workbook(write_only=True)
    sheet = book.create_sheet(result.report.title[:31])
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
    sums = {c.key: Decimal(0) for c in columns if c.total}
    for row in result.iter_rows():
        for key in sums:
            sums[key] += Decimal(row.get(key) or 0)
        sheet.append([cell(row.get(c.key), c.kind) for c in columns])
    if sums:
        sheet.append(
            [
                cell("Total", strong=True)
                if i == 0
                else cell(sums[c.key], c.kind, strong=True)
                if c.key in sums
                else cell(None)
                for i, c in enumerate(columns)
            ]
        )
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    book.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=_filename(result, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def render_pdf(result: Result, *, request, params_text: str):
    context = {
        "result": result,
        "report": result.report,
        "rows": result.rows,
        "totals": result.totals,
        "params_text": params_text,
        "generated_at": timezone.now(),
    }
    return pdf_response(
        "reports/pdf.html",
        context,
        request=request,
        filename=_filename(result, "pdf"),
        inline=False,
    )
