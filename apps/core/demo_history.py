"""Two years (by default) of daily stock history for a demo company.

Forecasting learns from this ledger, so demand is shaped the way real shops see it:

- **weekly seasonality**: a weekday pattern per trade (garden centres peak at the
  weekend, German bookshops are shut on Sundays, gyms sell on Mondays);
- **yearly seasonality**: peaks per trade (year end for electronics and books, spring
  for the garden, January resolutions and the southern summer for sport), some of
  them only for certain categories;
- **trends**: about a fifth of the variants grow over the two years, about one in
  seven declines, the rest drift;
- **promotions**: short windows (5-12 days) where one category sells 1.6-2.5 times
  as much; their sales are posted as their own shipment document whose note names
  the promotion and its discount (``Promotion: ...``), so the sales orders built from
  them carry the discount (the forecasting ledger extraction has no promotion column);
- **intermittent slow movers**: about a quarter of the variants sell on few days, in
  lumpy quantities (ADI well above 1.32);
- **stock-outs**: every sale is limited to what is on hand at that location that
  day, and stock only comes back with a supplier delivery or a branch transfer, so
  lost-sales days come out of the ledger itself (late deliveries, promotions and
  growth the buyer did not see coming, thin safety stock on some items);
- **returns**: now and then a customer sends a unit back a few days later (a
  ``return`` move into the bin it left).

Everything goes through the ledger service (``stock_moves_post``), backdated with
``occurred_at`` and in time order, one document per kind, warehouse and day (many
lines each), so balances, moving-average costs and FIFO layers end up exactly as if
the company had lived it:

- opening balances in the main warehouse, and in a branch warehouse for some variants;
- daily sales from both (``shipment``, reference ``demo-week``/the date: the
  reference type keeps its old name because ``apps.purchasing.demo`` and
  ``apps.sales.demo`` read it);
- replenishment by periodic review: each supplier is ordered from on its own weekday
  when a variant's stock position (on hand + on order) is at or below its reorder
  point, up to an order-up-to level; the order arrives after the supplier's lead time
  (with noise and the odd late delivery) as a ``receipt`` in the main warehouse
  (``apps.purchasing.demo`` turns them into purchase orders). The variants' reorder
  point and quantity are set to the policy's final values;
- a transfer document per branch every week restocks it from the main warehouse
  (shipped, received two days later; now and then a unit goes missing in transit);
- every third week a stock adjustment with a reason.

Deterministic: all randomness comes from the ``rng`` the catalog passes in.
"""

from __future__ import annotations

import math
import random
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from django.db import connection
from django.utils import timezone

from apps.catalog.models import SupplierItem, Variant
from apps.inventory.models import Location, StockMove, Transfer, TransferLine, Warehouse
from apps.inventory.services import MoveLine, stock_moves_post

Kind = StockMove.Kind
ADJUSTMENT_REASONS = ("damaged", "lost", "expired", "theft", "found", "correction")
HISTORY_REFERENCE = "demo-week"  # read by apps.purchasing.demo and apps.sales.demo
PROMOTION_NOTE = "Promotion: "  # shipment documents of a promotion start with this


@dataclass(frozen=True)
class Peak:
    """A yearly bump in demand: ``uplift`` (0.5 = +50%) at day of year ``centre``."""

    centre: int
    width: float  # days (standard deviation)
    uplift: float
    categories: tuple[str, ...] = ()  # empty: every category


@dataclass(frozen=True)
class DemandProfile:
    weekdays: tuple[float, ...]  # Monday ... Sunday, relative
    peaks: tuple[Peak, ...]
    units_per_day: float  # average daily units of a typical smooth variant


PROFILES = {
    # Online electronics: even weekdays, Friday/Saturday a bit busier, quiet Sunday;
    # Black Friday to Christmas, and back to school.
    "techgear": DemandProfile(
        weekdays=(1.0, 1.05, 1.0, 1.0, 1.1, 1.2, 0.65),
        peaks=(Peak(335, 16, 1.3), Peak(228, 10, 0.4, ("Laptops", "Tablets"))),
        units_per_day=0.14,
    ),
    # Fashion: the weekend and Friday; spring/summer collections, Christmas, January sale.
    "fashionforward": DemandProfile(
        weekdays=(0.8, 0.8, 0.9, 1.0, 1.25, 1.5, 0.75),
        peaks=(Peak(150, 35, 0.5), Peak(350, 12, 0.7), Peak(8, 6, 0.6)),
        units_per_day=0.17,
    ),
    # Garden centre: Saturday and Sunday; spring for the garden, winter for lighting.
    "homegardenplus": DemandProfile(
        weekdays=(0.75, 0.75, 0.8, 0.85, 1.0, 1.6, 1.35),
        peaks=(
            Peak(120, 30, 2.0, ("Garden tools", "Planters", "Seeds")),
            Peak(170, 35, 0.8, ("Furniture",)),
            Peak(345, 30, 0.8, ("Lighting",)),
        ),
        units_per_day=0.14,
    ),
    # Fitness (Australia): Monday resolutions; January and the southern summer.
    "sportsfitnesshub": DemandProfile(
        weekdays=(1.35, 1.15, 1.05, 1.0, 0.85, 0.85, 0.7),
        peaks=(Peak(10, 14, 1.2), Peak(350, 40, 0.35), Peak(80, 20, 0.2, ("Apparel",))),
        units_per_day=0.14,
    ),
    # German bookshop: Saturday busiest, Sundays closed (web orders only); Christmas,
    # and back to school for children's books and stationery.
    "bookwormcentral": DemandProfile(
        weekdays=(1.0, 0.95, 0.95, 1.0, 1.15, 1.45, 0.15),
        peaks=(Peak(350, 13, 1.4), Peak(245, 12, 0.6, ("Children", "Stationery"))),
        units_per_day=0.12,
    ),
}
DEFAULT_PROFILE = DemandProfile(
    weekdays=(1.0, 1.0, 1.0, 1.05, 1.15, 1.1, 0.7),
    peaks=(Peak(345, 18, 0.8),),
    units_per_day=0.14,
)
PROMOTION_NAMES = ("Spring sale", "Summer sale", "Flash sale", "Weekend deal", "Clearance")


@dataclass
class DemoPlaces:
    warehouses: list[Warehouse]  # the first is the main warehouse
    bins: dict[int, list[Location]]  # warehouse id -> its bins
    transit: dict[int, Location]  # warehouse id -> its in-transit location


@dataclass
class Promotion:
    name: str
    category: str
    first: int  # day index
    last: int
    uplift: float
    discount: int  # percent, shown on the sales orders

    @property
    def note(self) -> str:
        return f"{PROMOTION_NOTE}{self.name}, {self.discount}% off {self.category}"


@dataclass
class Policy:
    """Periodic review for one variant in the main warehouse."""

    lead_days: int
    safety: float  # cover multiplier; below 1 on a few variants, so they run out
    pack: int
    minimum: int
    reorder_point: int = 0
    order_up_to: int = 0
    on_order: int = 0
    estimate: float = 0.0  # smoothed daily demand the buyer believes in


def stock_history_seed(
    *,
    variants: list[Variant],
    places: DemoPlaces,
    rng: random.Random,
    weeks: int,
    slug: str = "",
) -> None:
    History(variants, places, rng, weeks, PROFILES.get(slug, DEFAULT_PROFILE)).run()


def promotion_discount(note: str) -> Decimal:
    """The discount of a promotion shipment note ("Promotion: X, 20% off Y"), else 0."""
    if not note.startswith(PROMOTION_NOTE) or "% off" not in note:
        return Decimal(0)
    return Decimal(note.split("% off")[0].rsplit(" ", 1)[-1])


def _zone():
    from apps.tenants.models import Tenant

    tenant = Tenant.objects.filter(schema_name=connection.schema_name).first()
    try:
        return zoneinfo.ZoneInfo(tenant.time_zone) if tenant else timezone.get_default_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


class History:
    def __init__(self, variants, places: DemoPlaces, rng: random.Random, weeks: int, profile):
        self.variants, self.places, self.rng = variants, places, rng
        self.profile = profile
        self.days = weeks * 7
        self.zone = _zone()
        today = timezone.localdate(timezone.now(), self.zone)
        self.first_day = today - timedelta(days=self.days)  # the history ends yesterday
        main = places.warehouses[0]
        branches = places.warehouses[1:]
        self.main = main
        self.home = {v.pk: rng.choice(places.bins[main.pk]) for v in variants}
        # About three variants in ten are also kept at one branch (a store).
        self.branch = {
            v.pk: rng.choice(places.bins[rng.choice(branches).pk])
            for v in variants
            if branches and rng.random() < 0.3
        }
        self.on_hand: dict[tuple[int, int], int] = {}
        self.np = np.random.default_rng(rng.getrandbits(64))
        self.categories = {
            v.pk: v.product.category.name if v.product.category_id else "" for v in variants
        }
        self.intermittent: set[int] = set()
        self.promotions: list[Promotion] = []
        self.returns_due: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.arrivals: dict[int, list[tuple[Variant, int, Decimal]]] = defaultdict(list)
        self.transfers_due: dict[int, list[tuple]] = defaultdict(list)

    # --- time ---------------------------------------------------------------------

    def date(self, day: int) -> date:
        return self.first_day + timedelta(days=day)

    def at(self, day: int, hour: int, minute: int = 0) -> datetime:
        """A moment of a history day, in the company's own time zone."""
        return datetime.combine(self.date(day), time(hour, minute), tzinfo=self.zone)

    # --- demand -------------------------------------------------------------------

    def season(self, category: str) -> np.ndarray:
        """Yearly multiplier per history day for a category."""
        doy = np.array([self.date(d).timetuple().tm_yday for d in range(self.days)], dtype=float)
        factor = np.ones(self.days)
        for peak in self.profile.peaks:
            if peak.categories and category not in peak.categories:
                continue
            distance = np.abs(doy - peak.centre)
            distance = np.minimum(distance, 365 - distance)
            factor += peak.uplift * np.exp(-0.5 * (distance / peak.width) ** 2)
        return factor

    def plan_promotions(self) -> None:
        names = sorted(set(self.categories.values()))
        per_year = 8
        count = max(1, round(self.days / 365 * per_year))
        rng = self.rng
        for _ in range(count):
            length = rng.randint(5, 12)
            if self.days <= length + 14:
                break
            first = rng.randint(7, self.days - length - 1)
            self.promotions.append(
                Promotion(
                    name=rng.choice(PROMOTION_NAMES),
                    category=rng.choice(names),
                    first=first,
                    last=first + length - 1,
                    uplift=rng.uniform(1.6, 2.5),
                    discount=rng.choice([10, 15, 20, 25, 30]),
                )
            )
        self.promotions.sort(key=lambda p: p.first)

    def demand(self) -> dict[tuple[int, int], np.ndarray]:
        """Units each (variant, location) would sell each day with stock enough."""
        gen, rng, days = self.np, self.rng, self.days
        weekdays = np.array(self.profile.weekdays) / np.mean(self.profile.weekdays)
        first_weekday = self.date(0).weekday()
        weekly = weekdays[(np.arange(days) + first_weekday) % 7]
        seasons = {c: self.season(c) for c in set(self.categories.values())}
        for c in seasons:
            seasons[c] = seasons[c] / seasons[c].mean()
        self.plan_promotions()
        # Popularity: a product's appeal times its variant's share (some sizes sell more).
        appeal: dict[int, float] = {}
        t = np.arange(days) / max(days - 1, 1)
        out = {}
        self.base: dict[int, float] = {}
        for v in self.variants:
            if v.product_id not in appeal:
                appeal[v.product_id] = rng.lognormvariate(0, 0.9)
            # A long tail: a few best sellers sell daily, most variants now and then.
            level = self.profile.units_per_day * appeal[v.product_id] * rng.lognormvariate(0, 0.8)
            roll = rng.random()
            if roll < 0.2:
                growth = rng.uniform(0.5, 1.2)  # grows to e^g times its start
            elif roll < 0.35:
                growth = -rng.uniform(0.6, 1.4)
            else:
                growth = rng.gauss(0, 0.1)
            trend = np.exp(growth * (t - 0.5))
            shape = weekly * seasons[self.categories[v.pk]] * trend
            promo = np.ones(days)
            for p in self.promotions:
                if p.category == self.categories[v.pk]:
                    promo[p.first : p.last + 1] *= p.uplift
                    promo[p.last + 1 : p.last + 8] *= 0.85  # customers bought ahead
            shape = shape * promo
            slow = rng.random() < 0.25
            if slow:
                self.intermittent.add(v.pk)
                chance = rng.uniform(0.03, 0.2)  # days with a sale: ADI 5 to 30
                mean_size = rng.uniform(1.5, 4.0)
            places = [(self.home[v.pk], 1.0)]
            if v.pk in self.branch:
                places.append((self.branch[v.pk], rng.uniform(0.25, 0.5)))
            for place, share in places:
                if slow:
                    sells = gen.random(days) < np.clip(chance * share * shape, 0, 0.95)
                    size = 1 + gen.poisson(mean_size - 1, days)
                    units = np.where(sells, size, 0)
                else:
                    rate = level * share * shape * gen.gamma(4.0, 0.25, days)  # overdispersed
                    units = gen.poisson(rate)
                out[(v.pk, place.pk)] = units.astype(int)
            self.base[v.pk] = (chance * mean_size) if slow else level
        return out

    # --- ledger -------------------------------------------------------------------

    def post(self, lines: list[MoveLine], **kwargs) -> None:
        stock_moves_post(lines=lines, **kwargs)
        for line in lines:
            key = (line.variant_id, line.location_id)
            self.on_hand[key] = self.on_hand.get(key, 0) + int(line.quantity)

    def stock(self, variant_id: int, location: Location | int) -> int:
        pk = location if isinstance(location, int) else location.pk
        return self.on_hand.get((variant_id, pk), 0)

    def run(self) -> None:
        demand = self.demand()
        self.plan_policies()
        self.opening()
        review_days = self.review_days()
        for day in range(self.days):
            self.deliveries(day)
            self.transfers_arrive(day)
            self.customer_returns(day)
            self.sales(day, demand)
            for supplier_id in review_days.get(self.date(day).weekday(), ()):
                self.review(day, supplier_id)
            if day % 7 == 3 and day + 2 < self.days:
                self.transfers(day)
            if day % 21 == 19:
                reason = ADJUSTMENT_REASONS[(day // 21) % len(ADJUSTMENT_REASONS)]
                self.adjustment(reason, self.at(day, 18))
        self.save_policies()

    def plan_policies(self) -> None:
        items = {
            item.variant_id: item
            for item in SupplierItem.objects.filter(
                is_preferred=True, variant__in=self.variants
            ).select_related("supplier")
        }
        self.supplier_of = {}
        self.policies: dict[int, Policy] = {}
        for v in self.variants:
            item = items.get(v.pk)
            lead = item.supplier.default_lead_time_days if item else 14
            self.supplier_of[v.pk] = item.supplier_id if item else 0
            policy = Policy(
                lead_days=lead,
                # Most items are well covered; a few are run lean and run out now and then.
                safety=self.rng.choice([0.7, 1.1, 1.3, 1.3, 1.5, 1.5, 1.8]),
                pack=int(item.pack_size) if item and item.pack_size >= 1 else 1,
                minimum=int(item.minimum_order_quantity) if item else 1,
                estimate=self.base[v.pk] * (1.35 if v.pk in self.branch else 1.0),
            )
            self.set_levels(policy, v)
            self.policies[v.pk] = policy

    def set_levels(self, policy: Policy, variant: Variant) -> None:
        """Reorder point covers lead time + a week's review; order up to six more weeks
        (fewer, larger deliveries)."""
        cover = policy.estimate * (policy.lead_days + 7)
        policy.reorder_point = max(1, math.ceil(cover * policy.safety))
        policy.order_up_to = policy.reorder_point + max(4, math.ceil(policy.estimate * 42))

    def review_days(self) -> dict[int, list[int]]:
        suppliers = sorted(set(self.supplier_of.values()))
        days: dict[int, list[int]] = defaultdict(list)
        for i, supplier_id in enumerate(suppliers):
            days[(i * 2) % 5].append(supplier_id)  # Monday to Friday
        return days

    def opening(self) -> None:
        rng = self.rng
        lines = []
        for v in self.variants:
            policy = self.policies[v.pk]
            quantity = rng.randint(policy.reorder_point, policy.order_up_to)
            lines.append(MoveLine(v.pk, self.home[v.pk].pk, Decimal(quantity), v.cost_price))
        for v in self.variants:
            if v.pk in self.branch:
                target = self.branch_target(v.pk)
                lines.append(MoveLine(v.pk, self.branch[v.pk].pk, Decimal(target), v.cost_price))
        self.post(lines, kind=Kind.OPENING, note="Opening balance", occurred_at=self.at(0, 7))

    def branch_target(self, variant_id: int) -> int:
        return max(3, math.ceil(self.base[variant_id] * 0.4 * 14))

    def sales(self, day: int, demand) -> None:
        promoted = {
            p.category: p for p in self.promotions if p.first <= day <= p.last
        }  # one promotion per category at a time is enough
        documents: dict[tuple[int, str], list[MoveLine]] = defaultdict(list)
        for v in self.variants:
            policy = self.policies[v.pk]
            wanted_total = 0
            for place in (self.home[v.pk], self.branch.get(v.pk)):
                if place is None:
                    continue
                wanted = int(demand[(v.pk, place.pk)][day])
                wanted_total += wanted
                quantity = min(wanted, self.stock(v.pk, place))
                if quantity > 0:
                    promotion = promoted.get(self.categories[v.pk])
                    note = promotion.note if promotion else "Daily sales"
                    documents[(place.warehouse_id, note)].append(
                        MoveLine(v.pk, place.pk, Decimal(-quantity))
                    )
                    if self.rng.random() < 0.03:  # a unit comes back a few days later
                        self.returns_due[day + self.rng.randint(3, 20)].append((v.pk, place.pk))
            # The buyer's running estimate of daily demand (seen as orders, even lost ones).
            policy.estimate += (wanted_total - policy.estimate) / 28
        for (_warehouse, note), lines in sorted(documents.items()):
            self.post(
                lines,
                kind=Kind.SHIPMENT,
                note=note,
                reference=(HISTORY_REFERENCE, self.date(day).isoformat()),
                occurred_at=self.at(day, 16),
            )

    def customer_returns(self, day: int) -> None:
        due = self.returns_due.pop(day, [])
        if not due:
            return
        self.post(
            [MoveLine(v, loc, Decimal(1)) for v, loc in due],
            kind=Kind.RETURN,
            note="Customer return",
            reference=(HISTORY_REFERENCE, self.date(day).isoformat()),
            occurred_at=self.at(day, 11),
        )

    def review(self, day: int, supplier_id: int) -> None:
        """Order what this supplier's variants need; it arrives after the lead time."""
        rng = self.rng
        wanted = []
        for v in self.variants:
            if self.supplier_of[v.pk] != supplier_id:
                continue
            policy = self.policies[v.pk]
            self.set_levels(policy, v)
            position = self.stock(v.pk, self.home[v.pk]) + policy.on_order
            if position > policy.reorder_point:
                continue
            quantity = max(policy.order_up_to - position, policy.minimum)
            quantity = math.ceil(quantity / policy.pack) * policy.pack
            wanted.append((v, quantity))
        if not wanted:
            return
        # One order per supplier and review: its lines travel together.
        lead = max(2, round(rng.gauss(self.policies[wanted[0][0].pk].lead_days, 1.5)))
        if rng.random() < 0.06:
            lead += rng.randint(7, 14)  # a late delivery
        for v, quantity in wanted:
            self.policies[v.pk].on_order += quantity
            cost = (v.cost_price * Decimal(rng.uniform(0.95, 1.05))).quantize(Decimal("0.01"))
            self.arrivals[day + lead].append((v, quantity, cost))

    def deliveries(self, day: int) -> None:
        arrived = self.arrivals.pop(day, [])
        if not arrived:
            return
        for v, quantity, _cost in arrived:
            self.policies[v.pk].on_order -= quantity
        self.post(
            [MoveLine(v.pk, self.home[v.pk].pk, Decimal(q), cost) for v, q, cost in arrived],
            kind=Kind.RECEIPT,
            note="Supplier delivery",
            reference=(HISTORY_REFERENCE, self.date(day).isoformat()),
            occurred_at=self.at(day, 9),
        )

    def save_policies(self) -> None:
        """The variants' reorder point and quantity: what the buyer works with today."""
        for v in self.variants:
            policy = self.policies[v.pk]
            v.reorder_point = Decimal(policy.reorder_point)
            v.reorder_quantity = Decimal(max(policy.order_up_to - policy.reorder_point, 1))
        Variant.objects.bulk_update(self.variants, ["reorder_point", "reorder_quantity"])

    def transfers(self, day: int) -> None:
        """Restock each branch from the main warehouse: one transfer document per branch."""
        wanted: dict[int, list[tuple[Variant, int]]] = {}
        for v in self.variants:
            place = self.branch.get(v.pk)
            if place is None:
                continue
            target = self.branch_target(v.pk)
            short = target - self.stock(v.pk, place)
            if short < max(1, target // 3):
                continue
            spare = self.stock(v.pk, self.home[v.pk]) - self.policies[v.pk].reorder_point // 2
            quantity = min(short, spare)
            if quantity > 0:
                wanted.setdefault(place.warehouse_id, []).append((v, quantity))
        for warehouse_id, items in sorted(wanted.items()):
            self.transfer(warehouse_id, items, day)

    def transfer(self, warehouse_id: int, items, day: int) -> None:
        when = self.at(day, 10)
        transit = self.places.transit[warehouse_id]
        transfer = Transfer.objects.create(
            source=self.main, destination_id=warehouse_id, note="Branch restock"
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
        self.transfers_due[day + 2].append((transfer, lines, transit))

    def transfers_arrive(self, day: int) -> None:
        """Transfers shipped two days ago reach their branch before the day's sales."""
        for transfer, lines, transit in self.transfers_due.pop(day, []):
            self.transfer_receive(transfer, lines, transit, day)

    def transfer_receive(self, transfer, lines, transit, day: int) -> None:
        arrived = self.at(day, 8)
        reference = ("transfer", transfer.pk)
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
        shipped = self.at(day - 2, 10)
        recent = timezone.now() - arrived < timedelta(days=14)
        Transfer.objects.filter(pk=transfer.pk).update(
            status=Transfer.Status.RECEIVED if recent else Transfer.Status.CLOSED,
            created_at=shipped - timedelta(days=1),
            shipped_at=shipped,
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
