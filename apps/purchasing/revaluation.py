"""PROPOSAL for apps/inventory/services.py: re-valuing stock still on hand.

When a charge (freight, duty …) arrives after the goods, the landed cost of a receipt
goes up or down by ``delta`` a unit. Units already sold keep the cost they were sold
at; units still on hand take the new cost:

- FIFO: the receipt's own cost layer changes its unit cost (its remaining units are
  exactly the units of that receipt still on hand).
- Moving average: the value of the units of that receipt still on hand — its
  layer's remaining quantity, at most the variant's quantity — changes by
  ``delta × units``, spread over the variant's whole quantity:
  ``average += delta × units ÷ quantity``.

It writes ``VariantCost`` and ``CostLayer``, which the ledger owns: it lives here only
as a proposal the lead moves into ``apps/inventory/services.py`` (as
``stock_revalue``), taking the same locks in the same order as ``stock_moves_post``
(variant costs by variant, then the layers). The ledger version should also keep a
row per revaluation (there is no zero-quantity StockMove to carry it); here the
purchase order's timeline records it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from apps.inventory.models import CostLayer, StockMove

COST_PLACES = Decimal("0.0001")
ZERO = Decimal("0")


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
