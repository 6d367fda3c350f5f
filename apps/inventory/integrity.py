"""Recompute every balance from the ledger and compare with the stored balances."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

_SQL = """
WITH moved AS (
    SELECT variant_id, location_id, sum(quantity) AS on_hand FROM inventory_stockmove GROUP BY 1, 2
), held AS (
    SELECT l.variant_id, l.location_id, sum(r.quantity) AS reserved
      FROM inventory_reservation r JOIN inventory_stocklevel l ON l.id = r.level_id GROUP BY 1, 2
)
SELECT coalesce(s.variant_id, m.variant_id, h.variant_id) AS variant_id,
       coalesce(s.location_id, m.location_id, h.location_id) AS location_id,
       coalesce(s.on_hand, 0) AS stored_on_hand, coalesce(m.on_hand, 0) AS ledger_on_hand,
       coalesce(s.reserved, 0) AS stored_reserved, coalesce(h.reserved, 0) AS ledger_reserved
  FROM inventory_stocklevel s
  FULL OUTER JOIN moved m ON m.variant_id = s.variant_id AND m.location_id = s.location_id
  FULL OUTER JOIN held h ON h.variant_id = coalesce(s.variant_id, m.variant_id) AND h.location_id = coalesce(s.location_id, m.location_id)
 WHERE coalesce(s.on_hand, 0) <> coalesce(m.on_hand, 0) OR coalesce(s.reserved, 0) <> coalesce(h.reserved, 0)
 ORDER BY 1, 2
"""


@dataclass(frozen=True)
class Difference:
    variant_id: int
    location_id: int
    stored_on_hand: Decimal
    ledger_on_hand: Decimal
    stored_reserved: Decimal
    ledger_reserved: Decimal


def stock_differences() -> list[Difference]:
    """Balances (in the current schema) that disagree with the ledger and reservations."""
    with connection.cursor() as cursor:
        cursor.execute(_SQL)
        return [Difference(*row) for row in cursor.fetchall()]
