"""PostgreSQL's JIT compiler and the dashboard.

The dashboard's grouped queries over the ledger and the low-stock union have large cost
*estimates* (correlated subqueries per row), which push PostgreSQL past
``jit_above_cost``: it then spends seconds compiling a plan that runs in tens of
milliseconds (measured on 10,000 variants: low stock 3.5 s with JIT, 0.06 s without).
Each widget's read runs in a transaction with JIT off for that transaction only.
Turning JIT off for the whole application (``-c jit=off`` in the connection options) is
the broader fix; until then this keeps the dashboard inside its budget.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def without_jit():
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield
