"""Bulk writes for the nightly run: one ``COPY`` per table, whatever the number of variants.

A whole-catalogue run stores horizon × series forecast rows (280,000 for 10,000 items
over 28 days); building that many model instances for ``bulk_create`` costs more than the
forecast itself. ``COPY`` goes through the raw psycopg cursor, which Django's query log
does not see, so each one is logged by hand: query-count tests count it like any query.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import pandas as pd
from django.db import connection


def _log(sql: str, started: float) -> None:
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": sql, "time": f"{time.monotonic() - started:.3f}", "alias": connection.alias}
        )


def _columns(model, fields: Sequence[str]) -> str:
    return ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)


def copy_frame(model, frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` (columns named after the model's fields; numbers,
    dates and booleans only, no missing values) with one COPY."""
    if frame.empty:
        return 0
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({_columns(model, frame.columns)}) FROM STDIN"
    text = frame.to_csv(sep="\t", header=False, index=False, date_format="%Y-%m-%d")
    started = time.monotonic()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            copy.write(text.encode())
    _log(sql, started)
    return len(frame)


def copy_rows(model, fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert Python rows (any values psycopg adapts: Decimal, date, None, JSON text) with
    one COPY."""
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({_columns(model, fields)}) FROM STDIN"
    count = 0
    started = time.monotonic()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    _log(sql, started)
    return count


def copy_out(sql: str, params: Sequence = ()) -> bytes:
    """The text a ``COPY (SELECT …) TO STDOUT`` returns (one query, logged like the others)."""
    chunks = []
    started = time.monotonic()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql, list(params)) as copy:
            for chunk in copy:
                chunks.append(bytes(chunk))
    _log(sql, started)
    return b"".join(chunks)
