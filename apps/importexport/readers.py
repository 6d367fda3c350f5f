"""Turn an uploaded CSV or XLSX file into a header and rows of strings.

Everything a spreadsheet program can produce is read: UTF-8 with or without a
BOM, UTF-16 (Excel's "Unicode text"), Windows-1252 as the last resort; comma,
semicolon or tab separators. Anything else is refused with a message, never an
exception that would become a 500.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from apps.importexport.errors import ImportExportError

MAX_BYTES = getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
MAX_ROWS = getattr(settings, "IMPORT_MAX_ROWS", 20_000)
XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls and other old Office files
# A workbook is a zip: refuse one that would unpack to far more than any real sheet.
MAX_XLSX_UNPACKED = 40 * MAX_BYTES
MAX_COLUMNS = 200


@dataclass
class Table:
    header: list[str]
    # (row number as a spreadsheet shows it — the header is row 1 —, cells)
    rows: list[tuple[int, list[str]]]


def file_format(filename: str, content: bytes) -> str:
    """ "xlsx" or "csv", from the bytes first (a renamed file still works), then the name."""
    if content.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        return "xlsx"
    return "csv"


def read_table(content: bytes, fmt: str) -> Table:
    if not content or not content.strip():
        raise ImportExportError("The file is empty.")
    if len(content) > MAX_BYTES:
        raise ImportExportError(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files."
        )
    if content.startswith(OLE2_MAGIC):
        raise ImportExportError(
            "This is an old Excel 97–2003 (.xls) file. Save it as .xlsx or CSV and upload that."
        )
    raw_rows = _xlsx_rows(content) if fmt == "xlsx" else _csv_rows(content)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(raw_rows, start=1):
        if header is None:
            if not any(cells):
                continue  # blank lines above the header
            header = cells
            header_number = number
            continue
        if not any(cells):
            continue  # blank lines inside the data are skipped, numbering keeps counting
        rows.append((number - header_number + 1, cells))
        if len(rows) > MAX_ROWS:
            raise ImportExportError(
                f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files."
            )
    if header is None:
        raise ImportExportError("The file has no rows: the first row must name the columns.")
    return Table(header=header, rows=rows)


def _decode(content: bytes) -> str:
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if content.startswith(bom):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ImportExportError(
                    "The file says it is Unicode text but is not. Save it again as CSV UTF-8."
                ) from exc
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in content[:4096]:
        raise ImportExportError(
            "This does not look like a CSV or Excel (.xlsx) file. Save it as CSV UTF-8 or .xlsx."
        )
    # Windows-1252 decodes almost any byte; what older Excel versions write for "CSV".
    return content.decode("cp1252", errors="replace")


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = _decode(content)
    if "\x00" in text or _looks_binary(text):
        raise ImportExportError(
            "This does not look like a CSV or Excel (.xlsx) file. Save it as CSV UTF-8 or .xlsx."
        )
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield [_clean(c) for c in cells]
    except csv.Error as exc:
        raise ImportExportError(f"The CSV file is malformed ({exc}). Check its quotes.") from exc


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return control / len(sample) > 0.05 or "\ufffd" * 4 in sample


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            raise ImportExportError(
                "This workbook is too large once unpacked. Split it, or save it as CSV."
            )
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [
            values[:MAX_COLUMNS]
            for values in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 50)
        ]
        workbook.close()
    except ImportExportError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on damaged files; none is the user's 500
        raise ImportExportError(
            "This file could not be read as an Excel workbook (.xlsx). "
            "Save it again from your spreadsheet program, or as CSV."
        ) from exc
    for values in rows:
        yield [_cell(v) for v in values]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _clean(str(value))


def _clean(value: str) -> str:
    value = value.strip()
    # Our exports prefix "'" to text that a spreadsheet would take for a formula.
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        return value[1:]
    return value
