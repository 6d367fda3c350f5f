"""Reads of lots and serial numbers: FEFO picking suggestions, expiring stock, balances per lot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from apps.inventory.models import Location, LotLevel, SerialNumber

ZERO = Decimal("0")


@dataclass(frozen=True)
class LotPick:
    lot_id: int
    lot_number: str
    expiry_date: date | None
    location_id: int
    location_code: str
    quantity: Decimal  # to pick from this lot at this location
    available: Decimal  # the lot's balance there


def _today() -> date:
    return timezone.localdate()  # the company's date: pages and jobs activate its time zone


def fefo_pick(
    *,
    variant_id: int,
    quantity: Decimal,
    warehouse_id: int | None = None,
    location_id: int | None = None,
    include_expired: bool = False,
    today: date | None = None,
) -> list[LotPick]:
    """Which lots to pick ``quantity`` from: first expiring first (lots without a date
    last, then the oldest lot), skipping expired lots unless asked. Covers as much as the
    lots hold: compare the picks' total with ``quantity`` to see a shortfall. One query.
    Lot balances do not know about reservations; the ledger refuses what is reserved."""
    quantity = Decimal(quantity)
    levels = (
        LotLevel.objects.filter(lot__variant_id=variant_id, on_hand__gt=0)
        .exclude(location__kind=Location.Kind.TRANSIT)
        .select_related("lot", "location")
        .order_by(F("lot__expiry_date").asc(nulls_last=True), "lot_id", "location__code", "pk")
    )
    if warehouse_id:
        levels = levels.filter(location__warehouse_id=warehouse_id)
    if location_id:
        levels = levels.filter(location_id=location_id)
    if not include_expired:
        levels = levels.filter(
            Q(lot__expiry_date__isnull=True) | Q(lot__expiry_date__gte=today or _today())
        )
    picks, left = [], quantity
    for level in levels:
        if left <= 0:
            break
        take = min(level.on_hand, left)
        picks.append(
            LotPick(
                level.lot_id,
                level.lot.number,
                level.lot.expiry_date,
                level.location_id,
                level.location.code,
                take,
                level.on_hand,
            )
        )
        left -= take
    return picks


EXPIRY_SORTS = {
    "expiry": ("lot__expiry_date", "lot__variant__sku"),
    "sku": ("lot__variant__sku", "lot__expiry_date"),
    "location": ("location__warehouse__code", "location__code", "lot__expiry_date"),
    "on_hand": ("on_hand", "lot__expiry_date"),
}


def expiring_lots(
    *,
    days: int = 30,
    warehouse_id: int | None = None,
    search: str = "",
    sort: str = "expiry",
    today: date | None = None,
) -> QuerySet[LotLevel]:
    """Lot balances that expire within ``days`` (or already have), soonest first."""
    until = (today or _today()) + timedelta(days=days)
    qs = LotLevel.objects.filter(on_hand__gt=0, lot__expiry_date__lte=until).select_related(
        "lot__variant__product", "location__warehouse"
    )
    if warehouse_id:
        qs = qs.filter(location__warehouse_id=warehouse_id)
    if search:
        qs = qs.filter(
            Q(lot__variant__sku__icontains=search)
            | Q(lot__variant__barcode=search)
            | Q(lot__number__icontains=search)
            | Q(lot__variant__product__name__icontains=search)
        )
    descending = sort.startswith("-")
    fields = EXPIRY_SORTS.get(sort.lstrip("-"), EXPIRY_SORTS["expiry"])
    return qs.order_by(*(("-" if descending else "") + f for f in fields), "pk")


def lot_balances(*, variant_id: int) -> QuerySet[LotLevel]:
    return (
        LotLevel.objects.filter(lot__variant_id=variant_id, on_hand__gt=0)
        .select_related("lot", "location__warehouse")
        .order_by(F("lot__expiry_date").asc(nulls_last=True), "lot_id", "location__code")
    )


def serials_in_stock(*, variant_id: int, location_id: int | None = None) -> QuerySet[SerialNumber]:
    qs = SerialNumber.objects.filter(variant_id=variant_id, status=SerialNumber.Status.IN_STOCK)
    if location_id:
        qs = qs.filter(location_id=location_id)
    return qs.select_related("location__warehouse", "lot").order_by("serial")
