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


# --- the per-variant total (VariantCost.quantity) ------------------------------------

_TOTAL_SQL = """
WITH moved AS (
    SELECT variant_id, sum(quantity) AS on_hand FROM inventory_stockmove GROUP BY 1
)
SELECT coalesce(vc.variant_id, moved.variant_id), coalesce(vc.quantity, 0),
       coalesce(moved.on_hand, 0)
  FROM inventory_variantcost vc
  FULL OUTER JOIN moved ON moved.variant_id = vc.variant_id
 WHERE coalesce(vc.quantity, 0) <> coalesce(moved.on_hand, 0)
 ORDER BY 1
"""


@dataclass(frozen=True)
class TotalDifference:
    variant_id: int
    stored: Decimal  # VariantCost.quantity
    expected: Decimal  # the sum of the variant's moves

    def describe(self) -> str:
        return (
            f"variant {self.variant_id}: total on hand {self.stored} stored vs {self.expected} "
            "in the ledger"
        )


def variant_total_differences() -> list[TotalDifference]:
    """Variants whose kept total on hand (``VariantCost.quantity``: what the product list
    sorts and filters on) differs from the sum of their moves."""
    with connection.cursor() as cursor:
        cursor.execute(_TOTAL_SQL)
        return [TotalDifference(*row) for row in cursor.fetchall()]


# --- lots and serial numbers -------------------------------------------------------

_LOT_SQL = """
WITH parts AS (
    SELECT p.lot_id, m.location_id, sum(p.quantity) AS on_hand
      FROM inventory_stockmovelot p JOIN inventory_stockmove m ON m.id = p.move_id GROUP BY 1, 2
)
SELECT 'lot', coalesce(ll.lot_id, parts.lot_id), coalesce(ll.location_id, parts.location_id),
       coalesce(ll.on_hand, 0), coalesce(parts.on_hand, 0)
  FROM inventory_lotlevel ll
  FULL OUTER JOIN parts ON parts.lot_id = ll.lot_id AND parts.location_id = ll.location_id
 WHERE coalesce(ll.on_hand, 0) <> coalesce(parts.on_hand, 0)
UNION ALL
SELECT 'lots above on hand', l.variant_id, ll.location_id, sum(ll.on_hand), max(s.on_hand)
  FROM inventory_lotlevel ll
  JOIN inventory_lot l ON l.id = ll.lot_id
  LEFT JOIN inventory_stocklevel s ON s.variant_id = l.variant_id AND s.location_id = ll.location_id
 GROUP BY l.variant_id, ll.location_id
HAVING sum(ll.on_hand) > greatest(coalesce(max(s.on_hand), 0), 0)
UNION ALL
SELECT 'serials above on hand', sn.variant_id, sn.location_id, count(*), max(s.on_hand)
  FROM inventory_serialnumber sn
  LEFT JOIN inventory_stocklevel s ON s.variant_id = sn.variant_id AND s.location_id = sn.location_id
 WHERE sn.status = 'in_stock'
 GROUP BY sn.variant_id, sn.location_id
HAVING count(*) > greatest(coalesce(max(s.on_hand), 0), 0)
ORDER BY 1, 2, 3
"""


@dataclass(frozen=True)
class TrackingDifference:
    kind: str  # "lot", "lots above on hand", "serials above on hand"
    key_id: int  # the lot (kind "lot") or the variant
    location_id: int
    stored: Decimal
    expected: Decimal

    def describe(self) -> str:
        if self.kind == "lot":
            return (
                f"lot {self.key_id} location {self.location_id}: on hand {self.stored} stored "
                f"vs {self.expected} in the ledger's lot parts"
            )
        return (
            f"variant {self.key_id} location {self.location_id}: {self.kind} "
            f"({self.stored} vs {self.expected} on hand)"
        )


def tracking_differences() -> list[TrackingDifference]:
    """Lot balances that disagree with the lot parts of the moves, and places holding more
    in lots or serial numbers than their stock balance."""
    with connection.cursor() as cursor:
        cursor.execute(_LOT_SQL)
        return [TrackingDifference(*row) for row in cursor.fetchall()]
