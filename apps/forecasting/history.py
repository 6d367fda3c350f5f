"""Imported demand history: write many days at once (the import framework's confirm).

One upsert per call whatever the number of rows: an existing (variant, warehouse, day) takes
the file's quantity and stock-out flag. Callers check the rows first (the importer plans
every row); the table's constraints are the last line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from apps.forecasting.models import DemandHistory


@dataclass(frozen=True)
class HistoryDay:
    variant_id: int
    warehouse_id: int | None
    date: date
    quantity: Decimal
    stockout: bool = False


def demand_history_import(*, days: list[HistoryDay], batch_id: int | None = None) -> int:
    """Create or replace the given days; returns how many rows were written."""
    if not days:
        return 0
    table = connection.ops.quote_name(DemandHistory._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (variant_id, warehouse_id, date, quantity, stockout, batch_id)
            SELECT n.variant_id, n.warehouse_id, n.date, n.quantity, n.stockout, %s
              FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::numeric[], %s::boolean[])
                   AS n(variant_id, warehouse_id, date, quantity, stockout)
            ON CONFLICT ON CONSTRAINT demandhistory_unique_variant_wh_date DO UPDATE
               SET quantity = EXCLUDED.quantity,
                   stockout = EXCLUDED.stockout,
                   batch_id = EXCLUDED.batch_id
            """,
            [
                batch_id,
                [d.variant_id for d in days],
                [d.warehouse_id for d in days],
                [d.date for d in days],
                [d.quantity for d in days],
                [d.stockout for d in days],
            ],
        )
        return cursor.rowcount
