"""Per-company number sequences (SO-000123, PO-000045, SKU serials) as PostgreSQL sequences.

Each company's sequence lives in its own schema, so numbers never collide across
companies and two people confirming orders at once never get the same number —
unlike "max + 1", which races. A sequence is created the first time it is asked for.
``nextval`` is not rolled back with the transaction, so a failed document leaves a gap;
that is the accepted price of never blocking on a counter row.
"""

from __future__ import annotations

import re

from django.db import connection, transaction
from django.db.utils import IntegrityError, ProgrammingError

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,50}$")


def _sequence(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"Bad sequence name {name!r}")
    return f"stockroom_seq_{name}"


def sequence_next(name: str) -> int:
    """The next number of the named sequence in the current company's schema (1, 2, 3 …)."""
    sequence = _sequence(name)
    for _attempt in range(2):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT nextval(%s::regclass)", [sequence])
                return cursor.fetchone()[0]
        except ProgrammingError:  # does not exist yet: create it and ask again
            _create(sequence)
    raise RuntimeError(f"Sequence {sequence} could not be created")


def sequence_peek(name: str) -> int:
    """The number the next call would give, without using it (for previews)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT last_value, is_called FROM {_sequence(name)}")
            last_value, is_called = cursor.fetchone()
    except ProgrammingError:  # never used yet
        return 1
    return last_value + 1 if is_called else last_value


def sequence_restart(name: str, *, next_value: int) -> None:
    """Make the next number ``next_value`` (importing numbers from an old system)."""
    if next_value < 1:
        raise ValueError("Sequences start at 1")
    sequence = _sequence(name)
    sequence_next(name)  # make sure it exists
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(%s::regclass, %s, false)", [sequence, next_value])


def _create(sequence: str) -> None:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {sequence}")
    except IntegrityError:  # another process created it between our two statements
        pass


def document_number(prefix: str, name: str, *, width: int = 6) -> str:
    """``document_number("SO-", "sales_order")`` -> ``"SO-000123"``."""
    return f"{prefix}{sequence_next(name):0{width}d}"
