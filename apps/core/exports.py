"""Streamed exports: CSV and XLSX rows go out as they are read, so a 100,000-row export
needs no memory.

Text that a spreadsheet program would run as a formula (starting with = + - @) is
made inert: in CSV it gets a leading apostrophe (our importers strip it again), in
XLSX the cell is written as text.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable

from django.http import FileResponse, StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@")
PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?%?$")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_value(value):
    # A plain number such as "-5" or "+1.5" cannot run as a formula: leave it as a number.
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    if value is None:
        return ""
    return value


def csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a BOM, so spreadsheet programs read UTF-8 correctly
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_csv_value(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_write(
    target, header: list[str], rows: Iterable[Iterable], *, sheet_title: str = "Data"
) -> None:
    """Write one sheet with openpyxl's write-only mode: rows go to a temporary file as
    they come, so memory stays bounded whatever the number of rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    bold = Font(bold=True)
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    workbook.save(target)


def xlsx_response(
    filename: str, header: list[str], rows: Iterable[Iterable], *, sheet_title: str = "Data"
) -> FileResponse:
    """An XLSX download. A zip cannot be sent before it is finished, so the workbook is
    built in a temporary file (spilling to disk past 1 MB) and then streamed in chunks."""
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
    xlsx_write(spool, header, rows, sheet_title=sheet_title)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
