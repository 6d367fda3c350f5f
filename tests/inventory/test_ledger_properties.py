"""A stateful property test: random sequences of stock operations against a simple model.

Whatever Hypothesis tries, the service agrees with the model, balances never go
negative, reserved never exceeds on-hand, and the ledger recomputes the balances.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from apps.catalog.models import Product, Variant
from apps.inventory.integrity import stock_differences, variant_total_differences
from apps.inventory.models import Location, StockLevel, StockMove, Warehouse
from apps.inventory.services import (
    InsufficientStock,
    MoveLine,
    reservation_consume,
    reservation_create,
    reservation_release,
    stock_moves_post,
)

quantities = st.integers(min_value=1, max_value=20).map(Decimal)
_ids = itertools.count()


class _Rollback(Exception):
    pass


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # Each run works in a savepoint that is rolled back at teardown.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        n = next(_ids)
        warehouse = Warehouse.objects.create(code=f"H{n}", name="Hypothesis")
        self.locations = [
            Location.objects.create(warehouse=warehouse, code=f"L{i}") for i in range(2)
        ]
        self.variant = Variant.objects.create(
            product=Product.objects.create(name=f"P{n}"), sku=f"HYP-{n}"
        )
        self.on_hand = {loc.pk: Decimal(0) for loc in self.locations}
        self.reserved = {loc.pk: Decimal(0) for loc in self.locations}
        self.reservations: list = []

    def teardown(self):
        self._atomic.__exit__(_Rollback, _Rollback(), None)

    def _loc(self, index: int) -> int:
        return self.locations[index % 2].pk

    @rule(index=st.integers(0, 1), qty=quantities)
    def receive(self, index, qty):
        stock_moves_post(
            lines=[MoveLine(self.variant.pk, self._loc(index), qty, Decimal("1.50"))],
            kind=StockMove.Kind.RECEIPT,
        )
        self.on_hand[self._loc(index)] += qty

    @rule(index=st.integers(0, 1), qty=quantities)
    def ship(self, index, qty):
        loc = self._loc(index)
        expected_ok = self.on_hand[loc] - self.reserved[loc] >= qty
        try:
            stock_moves_post(
                lines=[MoveLine(self.variant.pk, loc, -qty)], kind=StockMove.Kind.SHIPMENT
            )
        except InsufficientStock:
            assert not expected_ok
        else:
            assert expected_ok
            self.on_hand[loc] -= qty

    @rule(source=st.integers(0, 1), qty=quantities)
    def transfer(self, source, qty):
        a, b = self._loc(source), self._loc(source + 1)
        expected_ok = self.on_hand[a] - self.reserved[a] >= qty
        try:
            stock_moves_post(
                lines=[MoveLine(self.variant.pk, a, -qty), MoveLine(self.variant.pk, b, qty)],
                kind=StockMove.Kind.TRANSFER_OUT,
            )
        except InsufficientStock:
            assert not expected_ok
        else:
            assert expected_ok
            self.on_hand[a] -= qty
            self.on_hand[b] += qty

    @rule(index=st.integers(0, 1), qty=quantities)
    def reserve(self, index, qty):
        loc = self._loc(index)
        expected_ok = self.on_hand[loc] - self.reserved[loc] >= qty
        try:
            reservation = reservation_create(
                variant_id=self.variant.pk,
                location_id=loc,
                quantity=qty,
                reference=("line", next(_ids)),
            )
        except InsufficientStock:
            assert not expected_ok
        else:
            assert expected_ok
            self.reserved[loc] += qty
            self.reservations.append((reservation, loc, qty))

    @precondition(lambda self: self.reservations)
    @rule(pick=st.integers(min_value=0), consume=st.booleans())
    def settle(self, pick, consume):
        reservation, loc, qty = self.reservations.pop(pick % len(self.reservations))
        if consume:
            reservation_consume(reservation=reservation, quantity=qty)
            self.on_hand[loc] -= qty
        else:
            reservation_release(reservation=reservation)
        self.reserved[loc] -= qty

    @invariant()
    def balances_match_the_model_and_the_ledger(self):
        for level in StockLevel.objects.filter(variant=self.variant):
            assert level.on_hand == self.on_hand[level.location_id]
            assert level.reserved == self.reserved[level.location_id]
            assert Decimal(0) <= level.reserved <= level.on_hand
        assert [d for d in stock_differences() if d.variant_id == self.variant.pk] == []
        assert [d for d in variant_total_differences() if d.variant_id == self.variant.pk] == []


@pytest.mark.usefixtures("in_tenant")
def test_ledger_state_machine():
    run = LedgerMachine.TestCase
    run.settings = settings(
        max_examples=60,
        stateful_step_count=30,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    run().runTest()
