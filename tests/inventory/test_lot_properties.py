"""A stateful property test of lots: random receipts by lot, shipments with and without a
named lot, moves between locations and reservations, against a model of lot balances.

Stock only ever arrives with a lot (or carried by a move), so at every location the lots
must add up to exactly what is on hand; FEFO must never take a later-expiring lot while
an earlier one is there; and the lot balances must recompute from the moves' lot parts.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from apps.catalog.models import Product, Variant
from apps.inventory.integrity import tracking_differences
from apps.inventory.models import Location, LotLevel, StockLevel, StockMove, Warehouse
from apps.inventory.services import (
    InventoryError,
    MoveLine,
    reservation_consume,
    reservation_create,
    stock_moves_post,
)

LOTS = {"A": date(2030, 1, 1), "B": date(2030, 6, 1), "C": None}  # FEFO order: A, B, C
quantities = st.integers(min_value=1, max_value=9).map(Decimal)
_ids = itertools.count()


class _Rollback(Exception):
    pass


class LotMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        n = next(_ids)
        warehouse = Warehouse.objects.create(code=f"LOT{n}", name="Lots")
        self.locations = [
            Location.objects.create(warehouse=warehouse, code=f"L{i}").pk for i in range(2)
        ]
        product = Product.objects.create(name=f"Dated {n}", tracks_lots=True)
        self.variant = Variant.objects.create(product=product, sku=f"LOT-{n}")
        self.lots = {(lot, loc): Decimal(0) for lot in LOTS for loc in self.locations}
        self.reserved = {loc: Decimal(0) for loc in self.locations}
        self.reservations: list = []

    def teardown(self):
        self._atomic.__exit__(_Rollback, _Rollback(), None)

    def _on_hand(self, loc) -> Decimal:
        return sum(q for (_, place), q in self.lots.items() if place == loc)

    def _fefo(self, loc, qty) -> None:
        for lot in LOTS:  # already in FEFO order
            take = min(self.lots[(lot, loc)], qty)
            self.lots[(lot, loc)] -= take
            qty -= take

    @rule(index=st.integers(0, 1), lot=st.sampled_from(sorted(LOTS)), qty=quantities)
    def receive(self, index, lot, qty):
        loc = self.locations[index]
        stock_moves_post(
            lines=[MoveLine(self.variant.pk, loc, qty, Decimal(1), lot=lot, expiry=LOTS[lot])],
            kind=StockMove.Kind.RECEIPT,
        )
        self.lots[(lot, loc)] += qty

    @rule(index=st.integers(0, 1), qty=quantities, lot=st.sampled_from(["", *sorted(LOTS)]))
    def ship(self, index, qty, lot):
        loc = self.locations[index]
        free = self._on_hand(loc) - self.reserved[loc]
        ok = free >= qty and (not lot or self.lots[(lot, loc)] >= qty)
        try:
            stock_moves_post(
                lines=[MoveLine(self.variant.pk, loc, -qty, lot=lot)],
                kind=StockMove.Kind.SHIPMENT,
            )
        except InventoryError:
            assert not ok
        else:
            assert ok
            if lot:
                self.lots[(lot, loc)] -= qty
            else:
                self._fefo(loc, qty)

    @rule(source=st.integers(0, 1), qty=quantities)
    def move(self, source, qty):
        a, b = self.locations[source], self.locations[1 - source]
        ok = self._on_hand(a) - self.reserved[a] >= qty
        try:
            stock_moves_post(
                lines=[MoveLine(self.variant.pk, a, -qty), MoveLine(self.variant.pk, b, qty)],
                kind=StockMove.Kind.TRANSFER_OUT,
            )
        except InventoryError:
            assert not ok
        else:
            assert ok
            for lot in LOTS:  # the lots taken FEFO at a arrive at b
                take = min(self.lots[(lot, a)], qty)
                self.lots[(lot, a)] -= take
                self.lots[(lot, b)] += take
                qty -= take

    @rule(index=st.integers(0, 1), qty=quantities)
    def reserve(self, index, qty):
        loc = self.locations[index]
        try:
            reservation = reservation_create(
                variant_id=self.variant.pk,
                location_id=loc,
                quantity=qty,
                reference=("l", next(_ids)),
            )
        except InventoryError:
            assert self._on_hand(loc) - self.reserved[loc] < qty
        else:
            self.reserved[loc] += qty
            self.reservations.append((reservation, loc, qty))

    @precondition(lambda self: self.reservations)
    @rule()
    def consume(self):
        reservation, loc, qty = self.reservations.pop()
        reservation_consume(reservation=reservation, quantity=qty)
        self.reserved[loc] -= qty
        self._fefo(loc, qty)

    @invariant()
    def lots_match_the_model_the_balance_and_the_ledger(self):
        stored = {
            (ll.lot.number, ll.location_id): ll.on_hand
            for ll in LotLevel.objects.filter(lot__variant=self.variant).select_related("lot")
        }
        for key, expected in self.lots.items():
            assert stored.get(key, Decimal(0)) == expected, key
        for level in StockLevel.objects.filter(variant=self.variant):
            assert level.on_hand == self._on_hand(level.location_id)
        assert tracking_differences() == []


@pytest.mark.usefixtures("in_tenant")
def test_lot_state_machine():
    run = LotMachine.TestCase
    run.settings = settings(
        max_examples=30,
        stateful_step_count=20,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    run().runTest()
