"""Lots and serial numbers, kept by the ledger service in the same transaction as the moves.

``stock_moves_post`` calls ``track_moves`` after it has changed the balances, so every
(variant, location) touched here is already locked by its ``StockLevel`` row: lot
balances and serial numbers need no lock order of their own.

- A line of a lot-tracked variant may name its lot (``MoveLine.lot``; with
  ``expiry`` a new lot is created on receipt). An outbound line without a lot takes
  from the lots at that location, earliest expiry first (FEFO); whatever the lots do
  not cover comes from stock held without a lot. An inbound line without a lot takes
  the lots that outbound lines of the same posting released (a transfer carries its
  lots into transit and on to the destination); otherwise it is stock without a lot.
- A line of a serial-tracked variant may list its serial numbers (``MoveLine.serials``,
  one per unit): outbound ones must be in stock at that location, inbound ones must not
  be in stock anywhere. An inbound line without serials takes those released by the
  same posting.
- Lines of variants that track neither pass through untouched; naming a lot or serials
  for them is an error.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from apps.core.errors import DomainError

ZERO = Decimal("0")


def _qty(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _flags(variant_ids: set[int]) -> dict[int, tuple[str, bool, bool]]:
    """sku, tracks_lots, tracks_serials for the variants that track either (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT v.id, v.sku, p.tracks_lots, p.tracks_serials
              FROM catalog_variant v JOIN catalog_product p ON p.id = v.product_id
             WHERE v.id = ANY(%s) AND (p.tracks_lots OR p.tracks_serials)
            """,
            [sorted(variant_ids)],
        )
        return {row[0]: (row[1], row[2], row[3]) for row in cursor.fetchall()}


def _sku(variant_id: int) -> str:
    from apps.catalog.models import Variant

    return Variant.objects.filter(pk=variant_id).values_list("sku", flat=True).first() or str(
        variant_id
    )


def track_moves(lines: Sequence, moves: Sequence, error_class=DomainError) -> None:
    """Keep lot balances and serial numbers for one posting (see the module docstring)."""
    wants = any(getattr(line, "lot", "") or getattr(line, "serials", ()) for line in lines)
    flags = _flags({line.variant_id for line in lines})
    if not flags and not wants:
        return
    for line in lines:
        sku, lots, serials = flags.get(line.variant_id, (None, False, False))
        if line.lot and not lots:
            raise error_class(
                f"{sku or _sku(line.variant_id)} is not tracked by lot: leave the lot empty."
            )
        if line.serials and not serials:
            raise error_class(
                f"{sku or _sku(line.variant_id)} has no serial numbers: leave them empty."
            )
    pairs = list(zip(lines, moves, strict=True))
    # Outbound first, so inbound lines of the same posting can take over what they released.
    ordered = [p for p in pairs if p[0].quantity < 0] + [p for p in pairs if p[0].quantity > 0]
    lot_carry: dict[int, deque] = defaultdict(deque)
    serial_carry: dict[int, deque] = defaultdict(deque)
    parts: list[tuple[int, int, Decimal]] = []  # (move id, lot id, signed quantity)
    with connection.cursor() as cursor:
        for line, move in ordered:
            sku, lots, serials = flags.get(line.variant_id, (None, False, False))
            lot_id = None
            if lots:
                taken = _lots(cursor, line, move, sku, lot_carry, error_class)
                parts += [(move.pk, lid, q) for lid, q in taken]
                lot_id = taken[0][0] if len(taken) == 1 else None
            if serials:
                _serials(cursor, line, move, sku, lot_id, serial_carry, error_class)
        if parts:
            values = ", ".join(["(%s, %s, %s)"] * len(parts))
            cursor.execute(
                f"INSERT INTO inventory_stockmovelot (move_id, lot_id, quantity) VALUES {values}",
                [v for part in parts for v in part],
            )


def _lot_id(cursor, line, sku: str, error_class, *, create: bool) -> int:
    number = line.lot.strip()
    if create:
        cursor.execute(
            """
            INSERT INTO inventory_lot (variant_id, number, expiry_date, created_at)
            VALUES (%s, %s, %s, now())
            ON CONFLICT (variant_id, number)
               DO UPDATE SET expiry_date = coalesce(inventory_lot.expiry_date, EXCLUDED.expiry_date)
            RETURNING id, expiry_date
            """,
            [line.variant_id, number, line.expiry],
        )
        lot_id, expiry = cursor.fetchone()
        if line.expiry and expiry and expiry != line.expiry:
            raise error_class(
                f"Lot {number} of {sku} already expires on {expiry:%Y-%m-%d}, not {line.expiry:%Y-%m-%d}."
            )
        return lot_id
    cursor.execute(
        "SELECT id FROM inventory_lot WHERE variant_id = %s AND number = %s",
        [line.variant_id, number],
    )
    row = cursor.fetchone()
    if row is None:
        raise error_class(f"{sku} has no lot {number}.")
    return row[0]


def _lots(cursor, line, move, sku, carry, error_class) -> list[tuple[int, Decimal]]:
    quantity = Decimal(line.quantity)
    if quantity > 0:
        if line.lot:
            taken = [(_lot_id(cursor, line, sku, error_class, create=True), quantity)]
        else:
            taken, left = [], quantity
            queue = carry[line.variant_id]
            while left > 0 and queue:
                lot_id, q = queue.popleft()
                use = min(q, left)
                taken.append((lot_id, use))
                left -= use
                if q > use:
                    queue.appendleft((lot_id, q - use))
        for lot_id, q in taken:
            cursor.execute(
                """
                INSERT INTO inventory_lotlevel (lot_id, location_id, on_hand, updated_at)
                VALUES (%s, %s, %s, now())
                ON CONFLICT (lot_id, location_id)
                   DO UPDATE SET on_hand = inventory_lotlevel.on_hand + EXCLUDED.on_hand,
                                 updated_at = now()
                """,
                [lot_id, line.location_id, q],
            )
        return taken
    wanted = -quantity
    if line.lot:
        lot_id = _lot_id(cursor, line, sku, error_class, create=False)
        cursor.execute(
            """
            UPDATE inventory_lotlevel SET on_hand = on_hand - %(q)s, updated_at = now()
             WHERE lot_id = %(lot)s AND location_id = %(loc)s AND on_hand >= %(q)s
            RETURNING id
            """,
            {"q": wanted, "lot": lot_id, "loc": line.location_id},
        )
        if cursor.fetchone() is None:
            cursor.execute(
                "SELECT on_hand FROM inventory_lotlevel WHERE lot_id = %s AND location_id = %s",
                [lot_id, line.location_id],
            )
            row = cursor.fetchone()
            raise error_class(
                f"Not enough of lot {line.lot.strip()} of {sku} there: {_qty(wanted)} asked, "
                f"{_qty(row[0] if row else ZERO)} available."
            )
        taken = [(lot_id, wanted)]
    else:
        # FEFO: earliest expiry first, lots without a date last, then oldest lot.
        cursor.execute(
            """
            SELECT ll.id, ll.lot_id, ll.on_hand
              FROM inventory_lotlevel ll JOIN inventory_lot l ON l.id = ll.lot_id
             WHERE l.variant_id = %s AND ll.location_id = %s AND ll.on_hand > 0
             ORDER BY l.expiry_date NULLS LAST, l.id
            """,
            [line.variant_id, line.location_id],
        )
        taken, left = [], wanted
        for level_id, lot_id, on_hand in cursor.fetchall():
            if left <= 0:
                break
            use = min(on_hand, left)
            taken.append((lot_id, use, level_id))
            left -= use
        for _, use, level_id in taken:
            cursor.execute(
                "UPDATE inventory_lotlevel SET on_hand = on_hand - %s, updated_at = now() WHERE id = %s",
                [use, level_id],
            )
        taken = [(lot_id, use) for lot_id, use, _ in taken]
    carry[line.variant_id].extend(taken)
    return [(lot_id, -q) for lot_id, q in taken]


def _serials(cursor, line, move, sku, lot_id, carry, error_class) -> None:
    quantity = Decimal(line.quantity)
    given = [s.strip() for s in line.serials if s and s.strip()]
    if len(set(given)) != len(given):
        raise error_class(f"{sku}: a serial number is listed twice.")
    if given and (quantity != quantity.to_integral_value() or len(given) != abs(quantity)):
        raise error_class(
            f"{sku}: {len(given)} serial number{'s' if len(given) != 1 else ''} for a quantity of {_qty(abs(quantity))}; give one per unit."
        )
    now = timezone.now()
    if quantity < 0:
        if not given:
            _serials_unnamed_out(cursor, line, move, carry)
            return
        cursor.execute(
            """
            UPDATE inventory_serialnumber
               SET status = 'out', location_id = NULL, last_move_id = %s, updated_at = %s
             WHERE variant_id = %s AND serial = ANY(%s) AND status = 'in_stock' AND location_id = %s
            RETURNING serial, lot_id
            """,
            [move.pk, now, line.variant_id, given, line.location_id],
        )
        moved = cursor.fetchall()
        missing = sorted(set(given) - {row[0] for row in moved})
        if missing:
            raise error_class(f"{sku}: not in stock at this location: {', '.join(missing)}.")
        carry[line.variant_id].extend(moved)
        return
    if given:
        incoming = [(s, lot_id) for s in given]
    else:
        queue = carry[line.variant_id]
        incoming = [queue.popleft() for _ in range(min(len(queue), int(quantity)))]
    if not incoming:
        return
    values = ", ".join(["(%s, %s, %s, 'in_stock', %s, %s, %s)"] * len(incoming))
    params = []
    for serial, lot in incoming:
        params += [line.variant_id, serial, lot, line.location_id, move.pk, now]
    cursor.execute(
        f"""
        INSERT INTO inventory_serialnumber
               (variant_id, serial, lot_id, status, location_id, last_move_id, updated_at)
        VALUES {values}
        ON CONFLICT (variant_id, serial) DO UPDATE
           SET status = 'in_stock', location_id = EXCLUDED.location_id,
               lot_id = coalesce(EXCLUDED.lot_id, inventory_serialnumber.lot_id),
               last_move_id = EXCLUDED.last_move_id, updated_at = EXCLUDED.updated_at
         WHERE inventory_serialnumber.status = 'out'
        RETURNING serial
        """,
        params,
    )
    stored = {row[0] for row in cursor.fetchall()}
    already = sorted({s for s, _ in incoming} - stored)
    if already:
        raise error_class(f"{sku}: already in stock: {', '.join(already)}.")


def _serials_unnamed_out(cursor, line, move, carry) -> None:
    """Units left without their serial numbers being said (a transfer, a shipment of
    reserved stock): units held without a serial are assumed to go first; only when more
    serials are in stock there than units do the longest-held ones leave with the move,
    so serial numbers never outnumber the stock."""
    cursor.execute(
        """
        WITH surplus AS (
            SELECT sn.id FROM inventory_serialnumber sn
             WHERE sn.variant_id = %(v)s AND sn.location_id = %(l)s AND sn.status = 'in_stock'
             ORDER BY sn.updated_at, sn.id
             LIMIT greatest(
                 (SELECT count(*) FROM inventory_serialnumber
                   WHERE variant_id = %(v)s AND location_id = %(l)s AND status = 'in_stock')
                 - greatest((SELECT on_hand FROM inventory_stocklevel
                              WHERE variant_id = %(v)s AND location_id = %(l)s), 0),
                 0)
        )
        UPDATE inventory_serialnumber sn
           SET status = 'out', location_id = NULL, last_move_id = %(m)s, updated_at = now()
          FROM surplus WHERE sn.id = surplus.id
        RETURNING sn.serial, sn.lot_id
        """,
        {"v": line.variant_id, "l": line.location_id, "m": move.pk},
    )
    carry[line.variant_id].extend(cursor.fetchall())
