"""Two years (by default) of plausible stock history for a demo company.

Everything goes through the ledger service (``stock_moves_post``), many lines per
call and backdated with ``occurred_at``, in time order, so balances, moving-average
costs and FIFO layers end up exactly as if the company had lived it:

- opening balances in the main warehouse, and in a branch warehouse for about half
  of the variants;
- weekly sales from both (one shipment document a week, seasonal peak at year end);
- supplier deliveries to the main warehouse when it reaches the reorder point
  (reference ``demo-week``; ``apps.purchasing.demo`` turns them into purchase orders);
- a transfer document every other week that restocks the branches from the main
  warehouse (shipped, then received two days later; now and then a unit goes missing
  in transit and is written off);
- every third week a stock adjustment with a reason (damaged, lost, expired, theft,
  found, correction).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from apps.catalog.models import Variant
from apps.inventory.models import Location, StockMove, Transfer, TransferLine, Warehouse
from apps.inventory.services import MoveLine, stock_moves_post

Kind = StockMove.Kind
ADJUSTMENT_REASONS = ("damaged", "lost", "expired", "theft", "found", "correction")


@dataclass
class DemoPlaces:
    warehouses: list[Warehouse]  # the first is the main warehouse
    bins: dict[int, list[Location]]  # warehouse id -> its bins
    transit: dict[int, Location]  # warehouse id -> its in-transit location


def stock_history_seed(
    *, variants: list[Variant], places: DemoPlaces, rng: random.Random, weeks: int
) -> None:
    History(variants, places, rng, weeks).run()


class History:
    def __init__(self, variants, places: DemoPlaces, rng: random.Random, weeks: int):
        self.variants, self.places, self.rng, self.weeks = variants, places, rng, weeks
        self.start = timezone.now() - timedelta(weeks=weeks)
        main = places.warehouses[0]
        branches = places.warehouses[1:]
        self.home = {v.pk: rng.choice(places.bins[main.pk]) for v in variants}
        # About half of the variants are also kept at one branch.
        self.branch = {
            v.pk: rng.choice(places.bins[rng.choice(branches).pk])
            for v in variants
            if branches and rng.random() < 0.5
        }
        self.demand = {v.pk: rng.uniform(0.5, 6) for v in variants}  # units a week, on average
        self.on_hand: dict[tuple[int, int], int] = {}

    def run(self) -> None:
        self.opening()
        for week in range(self.weeks):
            when = self.start + timedelta(weeks=week, days=1)
            self.sales(week, when)
            self.deliveries(week, when + timedelta(days=3))
            if week % 2 == 1:
                self.transfers(when + timedelta(days=4))
            if week % 3 == 2:
                reason = ADJUSTMENT_REASONS[(week // 3) % len(ADJUSTMENT_REASONS)]
                self.adjustment(reason, when + timedelta(days=5))

    def post(self, lines: list[MoveLine], **kwargs) -> None:
        stock_moves_post(lines=lines, **kwargs)
        for line in lines:
            key = (line.variant_id, line.location_id)
            self.on_hand[key] = self.on_hand.get(key, 0) + int(line.quantity)

    def stock(self, variant_id: int, location: Location) -> int:
        return self.on_hand.get((variant_id, location.pk), 0)

    def opening(self) -> None:
        rng = self.rng
        lines = [
            MoveLine(v.pk, self.home[v.pk].pk, Decimal(rng.randint(20, 60)), v.cost_price)
            for v in self.variants
        ]
        lines += [
            MoveLine(v.pk, self.branch[v.pk].pk, Decimal(rng.randint(5, 15)), v.cost_price)
            for v in self.variants
            if v.pk in self.branch
        ]
        self.post(lines, kind=Kind.OPENING, note="Opening balance", occurred_at=self.start)

    def sales(self, week: int, when) -> None:
        season = 1.35 if (week % 52) >= 44 else 1.0  # a year-end peak
        sold = []
        for v in self.variants:
            places = [(self.home[v.pk], 1.0)]
            if v.pk in self.branch:
                places.append((self.branch[v.pk], 0.3))
            for place, share in places:
                wanted = int(self.rng.gauss(self.demand[v.pk] * season * share, 1.5))
                quantity = min(wanted, self.stock(v.pk, place))
                if quantity > 0:
                    sold.append(MoveLine(v.pk, place.pk, Decimal(-quantity)))
        if sold:
            self.post(
                sold,
                kind=Kind.SHIPMENT,
                note="Weekly sales",
                reference=("demo-week", week),
                occurred_at=when,
            )

    def deliveries(self, week: int, when) -> None:
        restock = [
            MoveLine(
                v.pk,
                self.home[v.pk].pk,
                v.reorder_quantity,
                (v.cost_price * Decimal(self.rng.uniform(0.95, 1.05))).quantize(Decimal("0.01")),
            )
            for v in self.variants
            if self.stock(v.pk, self.home[v.pk]) <= v.reorder_point
        ]
        if restock:
            self.post(
                restock,
                kind=Kind.RECEIPT,
                note="Supplier delivery",
                reference=("demo-week", week),
                occurred_at=when,
            )

    def transfers(self, when) -> None:
        """Restock each branch from the main warehouse: one transfer document per branch."""
        main = self.places.warehouses[0]
        wanted: dict[int, list[tuple[Variant, int]]] = {}
        for v in self.variants:
            place = self.branch.get(v.pk)
            if place is None or self.stock(v.pk, place) >= 4:
                continue
            spare = self.stock(v.pk, self.home[v.pk]) - int(v.reorder_point)
            quantity = min(10, spare)
            if quantity > 0:
                wanted.setdefault(place.warehouse_id, []).append((v, quantity))
        for warehouse_id, items in sorted(wanted.items()):
            self.transfer(main, warehouse_id, items, when)

    def transfer(self, main: Warehouse, warehouse_id: int, items, when) -> None:
        transit = self.places.transit[warehouse_id]
        transfer = Transfer.objects.create(
            source=main, destination_id=warehouse_id, note="Branch restock"
        )
        lines = [
            TransferLine(
                transfer=transfer,
                variant_id=v.pk,
                source_location_id=self.home[v.pk].pk,
                quantity=Decimal(q),
                # Now and then a unit goes missing on the way.
                received_quantity=Decimal(q - 1 if q > 1 and self.rng.random() < 0.05 else q),
            )
            for v, q in items
        ]
        TransferLine.objects.bulk_create(lines)
        reference = ("transfer", transfer.pk)
        self.post(
            [MoveLine(x.variant_id, x.source_location_id, -x.quantity) for x in lines]
            + [MoveLine(x.variant_id, transit.pk, x.quantity) for x in lines],
            kind=Kind.TRANSFER_OUT,
            reference=reference,
            note=transfer.number,
            occurred_at=when,
        )
        arrived = when + timedelta(days=2)
        self.post(
            [MoveLine(x.variant_id, transit.pk, -x.received_quantity) for x in lines]
            + [
                MoveLine(x.variant_id, self.branch[x.variant_id].pk, x.received_quantity)
                for x in lines
            ],
            kind=Kind.TRANSFER_IN,
            reference=reference,
            note=transfer.number,
            occurred_at=arrived,
        )
        missing = [x for x in lines if x.received_quantity < x.quantity]
        if missing:
            self.post(
                [
                    MoveLine(x.variant_id, transit.pk, x.received_quantity - x.quantity)
                    for x in missing
                ],
                kind=Kind.ADJUSTMENT,
                reason="lost",
                reference=reference,
                note=f"{transfer.number}: shipped but not received",
                occurred_at=arrived,
            )
        recent = timezone.now() - arrived < timedelta(days=14)
        Transfer.objects.filter(pk=transfer.pk).update(
            status=Transfer.Status.RECEIVED if recent else Transfer.Status.CLOSED,
            created_at=when - timedelta(days=1),
            shipped_at=when,
            received_at=arrived,
        )

    def adjustment(self, reason: str, when) -> None:
        rng = self.rng
        stocked = [
            (v, place)
            for v in self.variants
            for place in [self.home[v.pk], self.branch.get(v.pk)]
            if place is not None and self.stock(v.pk, place) > 2
        ]
        if not stocked:
            return
        lines = []
        for v, place in rng.sample(stocked, k=min(len(stocked), rng.randint(1, 3))):
            quantity = rng.randint(1, 2)
            if reason == "found" or (reason == "correction" and rng.random() < 0.5):
                lines.append(MoveLine(v.pk, place.pk, Decimal(quantity)))
            else:
                lines.append(MoveLine(v.pk, place.pk, Decimal(-quantity)))
        notes = {
            "damaged": "Damaged in handling",
            "lost": "Missing at a spot check",
            "expired": "Past its best, written off",
            "theft": "Shrinkage reported by the store",
            "found": "Found during a walk-through",
            "correction": "Miscount corrected",
        }
        self.post(lines, kind=Kind.ADJUSTMENT, reason=reason, note=notes[reason], occurred_at=when)
