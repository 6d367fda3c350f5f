"""The only writer of stock: moves, balances, reservations and costs.

Every change of quantity anywhere in the product (adjustments, transfers,
receipts, shipments, returns, counts, integration syncs) calls these functions.
The rules they keep:

- ``StockMove`` rows are only inserted (the database refuses anything else).
- Balances change with conditional ``UPDATE … WHERE`` statements in the same
  transaction as the moves, never read-modify-write in Python, so concurrent
  requests cannot lose updates or oversell: an outbound move that would eat
  into reserved stock (or go below zero, unless the company allows negative
  stock) matches no row and the whole document fails with ``InsufficientStock``.
- Rows are locked in one global order — stock levels by (variant, location),
  then variant costs by variant — so two documents never deadlock.
- Valuation is kept on every move: a moving-average cost per variant and FIFO
  cost layers, so a company can report either.
- Lot balances and serial numbers of tracked products change in the same
  transaction (``tracking.py``), only where this posting already holds the level's
  row lock, so they add nothing to the lock order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.core.errors import DomainError
from apps.inventory.arrivals import stock_arrival_announce
from apps.inventory.changes import stock_change_announce
from apps.inventory.models import CostLayer, Reservation, StockLevel, StockMove, VariantCost
from apps.inventory.tracking import track_moves

ZERO = Decimal("0")
COST_PLACES = Decimal("0.0001")
Kind = StockMove.Kind
# Moves between locations of the same company do not change what the stock is worth.
VALUATION_NEUTRAL = {Kind.TRANSFER_OUT, Kind.TRANSFER_IN}


class InventoryError(DomainError):
    """A stock change a user asked for that cannot be done; the message says why."""


def _qty(value: Decimal) -> str:
    """3.000 -> "3", 2.500 -> "2.5": quantities as people write them."""
    text = f"{Decimal(value).normalize():f}"
    return text


@dataclass(frozen=True)
class Shortage:
    variant_id: int
    location_id: int
    requested: Decimal
    available: Decimal


class InsufficientStock(InventoryError):
    def __init__(self, shortages: list[Shortage]):
        self.shortages = shortages
        names = _names(shortages)
        parts = [
            f"{names[(s.variant_id, s.location_id)]}: {_qty(s.requested)} asked, {_qty(s.available)} available"
            for s in shortages
        ]
        super().__init__("Not enough stock — " + "; ".join(parts) + ".")


def _names(shortages: list[Shortage]) -> dict[tuple[int, int], str]:
    """ "SKU at WAREHOUSE/LOCATION" for each shortage, in two queries (only when refusing)."""
    from apps.catalog.models import Variant
    from apps.inventory.models import Location

    skus = dict(
        Variant.objects.filter(pk__in={s.variant_id for s in shortages}).values_list("pk", "sku")
    )
    places = {
        loc.pk: str(loc)
        for loc in Location.objects.filter(
            pk__in={s.location_id for s in shortages}
        ).select_related("warehouse")
    }
    return {
        (
            s.variant_id,
            s.location_id,
        ): f"{skus.get(s.variant_id, s.variant_id)} at {places.get(s.location_id, s.location_id)}"
        for s in shortages
    }


@dataclass(frozen=True)
class MoveLine:
    variant_id: int
    location_id: int
    quantity: Decimal  # signed: positive in, negative out
    unit_cost: Decimal | None = None  # inbound cost; None means the current average cost
    # Only for products that track lots / serial numbers (see apps/inventory/tracking.py).
    lot: str = ""  # the lot number; empty: FEFO when taking, carried lots or none when adding
    expiry: date | None = None  # expiry of a lot received for the first time
    serials: tuple[str, ...] = ()  # one serial number per unit


def _allow_negative() -> bool:
    tenant = getattr(connection, "tenant", None)
    return bool(getattr(tenant, "allow_negative_stock", False))


def _ensure_levels(keys: Sequence[tuple[int, int]]) -> None:
    if not keys:
        return
    values = ", ".join(["(%s, %s, 0, 0, now())"] * len(keys))
    params = [v for key in keys for v in key]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO inventory_stocklevel (variant_id, location_id, on_hand, reserved, updated_at) "
            f"VALUES {values} ON CONFLICT (variant_id, location_id) DO NOTHING",
            params,
        )


def _apply_balance(
    cursor, variant_id: int, location_id: int, delta: Decimal, allow_negative: bool
) -> bool:
    """Add ``delta`` to on_hand if the rules allow it; False when they do not."""
    cursor.execute(
        """
        UPDATE inventory_stocklevel
           SET on_hand = on_hand + %(d)s, updated_at = now()
         WHERE variant_id = %(v)s AND location_id = %(l)s
           AND (%(d)s >= 0 OR on_hand + %(d)s >= reserved OR (%(neg)s AND reserved = 0))
           AND (%(d)s >= 0 OR %(neg)s OR on_hand + %(d)s >= 0)
        RETURNING id
        """,
        {"d": delta, "v": variant_id, "l": location_id, "neg": allow_negative},
    )
    return cursor.fetchone() is not None


def _available(variant_id: int, location_id: int) -> Decimal:
    level = StockLevel.objects.filter(variant_id=variant_id, location_id=location_id).first()
    return level.available if level else ZERO


def _value(lines: Sequence[MoveLine], kind: str) -> list[Decimal]:
    """Update moving-average costs; return each line's unit cost (for the move row)."""
    variant_ids = sorted({line.variant_id for line in lines})
    VariantCost.objects.bulk_create(
        [VariantCost(variant_id=v) for v in variant_ids], ignore_conflicts=True
    )
    costs: list[Decimal] = []
    with connection.cursor() as cursor:
        # Lock in variant order (after the stock levels): the second half of the global lock order.
        cursor.execute(
            "SELECT variant_id, quantity, average_cost FROM inventory_variantcost WHERE variant_id = ANY(%s) ORDER BY variant_id FOR UPDATE",
            [variant_ids],
        )
        state = {row[0]: [row[1], row[2]] for row in cursor.fetchall()}
        for line in lines:
            quantity, average = state[line.variant_id]
            if kind in VALUATION_NEUTRAL:
                # A transfer changes no average, but the quantity still follows every move so
                # it always equals the variant's on hand across locations (the product list
                # sorts and filters on it; stock_check verifies it).
                costs.append(average)
            elif line.quantity > 0:
                cost = average if line.unit_cost is None else Decimal(line.unit_cost)
                base = max(quantity, ZERO)
                average = (
                    (base * average + line.quantity * cost) / (base + line.quantity)
                ).quantize(COST_PLACES)
                costs.append(cost)
            else:
                costs.append(average)
            quantity += line.quantity
            state[line.variant_id] = [quantity, average]
        cursor.execute(
            "UPDATE inventory_variantcost c SET quantity = n.quantity, average_cost = n.average"
            " FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[])"
            " AS n(variant_id, quantity, average) WHERE c.variant_id = n.variant_id",
            [list(state), [q for q, _a in state.values()], [a for _q, a in state.values()]],
        )
    return costs


_CONSUME_LAYERS_SQL = """
WITH take AS (
    SELECT * FROM unnest(%(variants)s::bigint[], %(quantities)s::numeric[]) AS t(variant_id, quantity)
), locked AS (
    -- Lock the open layers first, in one fixed order (a window function cannot sit
    -- next to FOR UPDATE).
    SELECT c.id, c.variant_id, c.remaining, c.created_at
      FROM inventory_costlayer c
     WHERE c.variant_id = ANY(%(variants)s::bigint[]) AND c.remaining > 0
     ORDER BY c.variant_id, c.created_at, c.id
       FOR UPDATE OF c
), queued AS (
    -- What lies in older layers of the same variant, and how much this document takes.
    SELECT l.id, l.remaining, t.quantity,
           sum(l.remaining) OVER (PARTITION BY l.variant_id ORDER BY l.created_at, l.id)
             - l.remaining AS before
      FROM locked l JOIN take t USING (variant_id)
)
UPDATE inventory_costlayer c
   SET remaining = c.remaining - least(q.remaining, q.quantity - q.before)
  FROM queued q
 WHERE c.id = q.id AND q.before < q.quantity
"""


def _fifo(moves: Sequence[StockMove]) -> None:
    """Open a cost layer for each inbound move; consume the oldest layers for the outbound
    ones. Taking a, then b from one queue leaves what taking a + b does, so the document's
    outbound quantity per variant is consumed by one statement, however many layers it
    spans (it used to be a SELECT … FOR UPDATE per move and an UPDATE per layer)."""
    layers = [
        CostLayer(
            variant_id=m.variant_id,
            move=m,
            unit_cost=m.unit_cost,
            quantity=m.quantity,
            remaining=m.quantity,
        )
        for m in moves
        if m.quantity > 0 and m.kind not in VALUATION_NEUTRAL
    ]
    CostLayer.objects.bulk_create(layers)
    taken: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for move in moves:
        if move.quantity < 0 and move.kind not in VALUATION_NEUTRAL:
            taken[move.variant_id] -= move.quantity
    if not taken:
        return
    variants = sorted(taken)
    with connection.cursor() as cursor:
        # Anything beyond the open layers went below zero (negative stock allowed): no
        # layer to consume.
        cursor.execute(
            _CONSUME_LAYERS_SQL,
            {"variants": variants, "quantities": [taken[v] for v in variants]},
        )


def stock_moves_post(
    *,
    lines: Sequence[MoveLine],
    kind: str,
    user=None,
    reason: str = "",
    note: str = "",
    reference: tuple[str, str | int] = ("", ""),
    reverses: StockMove | None = None,
    occurred_at: datetime | None = None,
) -> list[StockMove]:
    """Post the moves of one document, all or nothing. ``occurred_at`` backdates the
    moves (imports, syncs, demo history); balances change now either way."""
    if kind not in Kind.values:
        raise InventoryError(f"Unknown kind of stock move: {kind}.")
    if not lines:
        raise InventoryError("Nothing to post: add at least one line.")
    if any(Decimal(line.quantity) == 0 for line in lines):
        raise InventoryError("A stock move needs a quantity other than zero.")
    if kind == Kind.ADJUSTMENT and reason not in StockMove.Reason.values:
        raise InventoryError(
            "Choose a reason for the adjustment (damaged, lost, found, expired, theft, correction or other)."
        )
    if any(line.unit_cost is not None and Decimal(line.unit_cost) < 0 for line in lines):
        raise InventoryError("A unit cost cannot be negative.")
    if any(len(line.lot.strip()) > 64 for line in lines):
        raise InventoryError("A lot number has at most 64 characters.")
    if any(len(s.strip()) > 100 for line in lines for s in line.serials):
        raise InventoryError("A serial number has at most 100 characters.")

    deltas: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        deltas[(line.variant_id, line.location_id)] += Decimal(line.quantity)
    keys = sorted(deltas)  # the global lock order
    allow_negative = _allow_negative()

    with transaction.atomic():
        _ensure_levels(keys)
        shortages = []
        with connection.cursor() as cursor:
            for variant_id, location_id in keys:
                delta = deltas[(variant_id, location_id)]
                if delta == 0:
                    # Nothing changes, but lots or serials may move here: hold the lock all the same.
                    cursor.execute(
                        "SELECT id FROM inventory_stocklevel WHERE variant_id = %s AND location_id = %s FOR UPDATE",
                        [variant_id, location_id],
                    )
                elif not _apply_balance(cursor, variant_id, location_id, delta, allow_negative):
                    shortages.append(
                        Shortage(
                            variant_id, location_id, -delta, _available(variant_id, location_id)
                        )
                    )
        if shortages:
            raise InsufficientStock(shortages)
        costs = _value(lines, kind)
        moves = StockMove.objects.bulk_create(
            [
                StockMove(
                    variant_id=line.variant_id,
                    location_id=line.location_id,
                    quantity=Decimal(line.quantity),
                    unit_cost=cost,
                    kind=kind,
                    reason=reason,
                    note=note[:255],
                    reference_type=str(reference[0]),
                    reference_id=str(reference[1]),
                    reverses=reverses,
                    user=user,
                    created_at=occurred_at or timezone.now(),
                )
                for line, cost in zip(lines, costs, strict=True)
            ]
        )
        _fifo(moves)
        track_moves(lines, moves, error_class=InventoryError)
        stock_arrival_announce(variant_ids={m.variant_id for m in moves if m.quantity > 0})
        stock_change_announce(moves)
    return moves


def stock_move_reverse(*, move: StockMove, user=None, note: str = "") -> StockMove:
    """Undo a move with an opposite one (the original stays, linked to its reversal)."""
    if move.kind == Kind.REVERSAL or StockMove.objects.filter(reverses=move).exists():
        raise InventoryError("This move was already reversed, or is itself a reversal.")
    # A move within one lot is undone within that lot; one spread over several lots by
    # FEFO is undone by FEFO again.
    lots = list(move.lot_parts.values_list("lot__number", flat=True)[:2])
    (reversal,) = stock_moves_post(
        lines=[
            MoveLine(
                move.variant_id,
                move.location_id,
                -move.quantity,
                move.unit_cost,
                lot=lots[0] if len(lots) == 1 else "",
            )
        ],
        kind=Kind.REVERSAL,
        user=user,
        note=note or f"Reverses move {move.pk}",
        reference=(move.reference_type, move.reference_id),
        reverses=move,
    )
    return reversal


# --- reservations ---------------------------------------------------------------


def reservation_create(
    *, variant_id: int, location_id: int, quantity: Decimal, reference: tuple[str, str | int]
) -> Reservation:
    """Promise ``quantity`` of what is available at a location to a document line.

    One statement: the guarded UPDATE of the balance and the upsert of the
    reservation row, so the balance's row lock (the contended one on a hot SKU)
    is held for a single round trip before commit. No ``atomic()`` around it: one
    statement is atomic by itself, and outside a transaction ``atomic()`` would hold
    the hot row's lock across the extra round trip of a separate COMMIT (about a third
    fewer reservations a second in the hot-SKU benchmark); inside a caller's
    transaction the statement simply joins it.
    """
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise InventoryError("Reserve a quantity greater than zero.")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH level AS (
                UPDATE inventory_stocklevel SET reserved = reserved + %(q)s, updated_at = now()
                 WHERE variant_id = %(v)s AND location_id = %(l)s AND on_hand - reserved >= %(q)s
                RETURNING id
            )
            INSERT INTO inventory_reservation (level_id, quantity, reference_type, reference_id, created_at)
            SELECT id, %(q)s, %(rt)s, %(rid)s, now() FROM level
            ON CONFLICT (level_id, reference_type, reference_id)
               DO UPDATE SET quantity = inventory_reservation.quantity + EXCLUDED.quantity
            RETURNING id
            """,
            {
                "q": quantity,
                "v": variant_id,
                "l": location_id,
                "rt": str(reference[0]),
                "rid": str(reference[1]),
            },
        )
        row = cursor.fetchone()
    if row is None:
        raise InsufficientStock(
            [Shortage(variant_id, location_id, quantity, _available(variant_id, location_id))]
        )
    return Reservation.objects.get(pk=row[0])


def reservation_release(*, reservation: Reservation, quantity: Decimal | None = None) -> None:
    """Give reserved stock back to available (an order line cancelled or reduced)."""
    with transaction.atomic():
        # Level first, then reservation: the same order as reservation_create.
        StockLevel.objects.select_for_update().filter(pk=reservation.level_id).first()
        current = Reservation.objects.select_for_update().filter(pk=reservation.pk).first()
        if current is None:
            raise InventoryError("This reservation no longer exists.")
        quantity = current.quantity if quantity is None else Decimal(quantity)
        if quantity <= 0 or quantity > current.quantity:
            raise InventoryError(f"Release between 0 and {current.quantity}.")
        StockLevel.objects.filter(pk=current.level_id).update(reserved=F("reserved") - quantity)
        if quantity == current.quantity:
            current.delete()
        else:
            Reservation.objects.filter(pk=current.pk).update(quantity=current.quantity - quantity)


def reservation_consume(
    *,
    reservation: Reservation,
    quantity: Decimal,
    user=None,
    reference: tuple[str, str | int] = ("", ""),
    lot: str = "",
    serials: tuple[str, ...] = (),
) -> StockMove:
    """Ship reserved stock: the reservation shrinks and on-hand goes down, together.
    ``lot`` / ``serials`` say what was picked for tracked products (else FEFO / unnamed)."""
    quantity = Decimal(quantity)
    with transaction.atomic():
        level = StockLevel.objects.get(pk=reservation.level_id)
        reservation_release(reservation=reservation, quantity=quantity)
        (move,) = stock_moves_post(
            lines=[
                MoveLine(
                    level.variant_id, level.location_id, -quantity, lot=lot, serials=tuple(serials)
                )
            ],
            kind=Kind.SHIPMENT,
            user=user,
            reference=reference
            if reference[0]
            else (reservation.reference_type, reservation.reference_id),
        )
    return move


# --- settings -------------------------------------------------------------------------

NEGATIVE_CONSTRAINT = "stocklevel_on_hand_not_negative"


@dataclass(frozen=True)
class Revaluation:
    move_id: int  # an inbound move (a receipt)
    unit_cost_delta: Decimal


@dataclass(frozen=True)
class Revalued:
    move_id: int
    variant_id: int
    units_on_hand: Decimal
    value_change: Decimal


def stock_revalue(*, revaluations: Sequence[Revaluation]) -> list[Revalued]:
    """Change the cost of units still on hand from inbound moves (a late landed-cost
    charge). Units already sold keep the cost they went out at.

    - FIFO: the move's own cost layer changes its unit cost (its remaining units are
      exactly that receipt's units still on hand).
    - Moving average: the value of that receipt's units still on hand (its layer's
      remaining quantity, at most the variant's quantity) changes by
      ``delta × units``, spread over the variant's whole quantity.

    Locks variant costs by variant, then the layers: the same order as posting.
    """
    revaluations = [r for r in revaluations if Decimal(r.unit_cost_delta) != 0]
    if not revaluations:
        return []
    moves = StockMove.objects.in_bulk([r.move_id for r in revaluations])
    variant_ids = sorted({moves[r.move_id].variant_id for r in revaluations})
    results = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT variant_id, quantity, average_cost FROM inventory_variantcost"
            " WHERE variant_id = ANY(%s) ORDER BY variant_id FOR UPDATE",
            [variant_ids],
        )
        state = {row[0]: [row[1], row[2]] for row in cursor.fetchall()}
        layers = {
            layer.move_id: layer
            for layer in CostLayer.objects.select_for_update()
            .filter(move_id__in=[r.move_id for r in revaluations])
            .order_by("variant_id", "created_at", "id")
        }
        for r in revaluations:
            move = moves[r.move_id]
            layer = layers.get(r.move_id)
            delta = Decimal(r.unit_cost_delta)
            quantity, average = state.get(move.variant_id, [ZERO, ZERO])
            units = min(layer.remaining if layer else ZERO, max(quantity, ZERO))
            if layer is not None:
                layer.unit_cost = max(layer.unit_cost + delta, ZERO)
                CostLayer.objects.filter(pk=layer.pk).update(unit_cost=layer.unit_cost)
            if units > 0 and quantity > 0:
                average = max(average + delta * units / quantity, ZERO).quantize(COST_PLACES)
                state[move.variant_id] = [quantity, average]
            results.append(
                Revalued(
                    r.move_id, move.variant_id, units, (delta * units).quantize(Decimal("0.01"))
                )
            )
        for variant_id, (_quantity, average) in state.items():
            cursor.execute(
                "UPDATE inventory_variantcost SET average_cost = %s WHERE variant_id = %s",
                [average, variant_id],
            )
    return results


def inventory_negative_stock_set(*, allow: bool) -> None:
    """Drop or restore the database's on_hand >= 0 guarantee for the current company."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Deferred foreign-key checks queued earlier in this transaction would block ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT 1 FROM pg_constraint WHERE conname = %s AND connamespace = current_schema()::regnamespace",
            [NEGATIVE_CONSTRAINT],
        )
        present = cursor.fetchone() is not None
        if allow and present:
            cursor.execute(
                f"ALTER TABLE inventory_stocklevel DROP CONSTRAINT {NEGATIVE_CONSTRAINT}"
            )
        elif not allow and not present:
            negative = StockLevel.objects.filter(on_hand__lt=0).count()
            if negative:
                raise InventoryError(
                    f"{negative} stock balance{'s are' if negative != 1 else ' is'} below zero. Bring them to zero or above (count or adjust) before turning negative stock off."
                )
            cursor.execute(
                f"ALTER TABLE inventory_stocklevel ADD CONSTRAINT {NEGATIVE_CONSTRAINT} CHECK (on_hand >= 0)"
            )
