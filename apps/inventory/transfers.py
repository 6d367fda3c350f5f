"""Transfers between warehouses as documents. Every stock change goes through services.py.

Shipping moves the goods from their source locations into the destination's
in-transit location; receiving moves what arrived from in-transit to a location
at the destination, and writes off any shortfall from in-transit (recorded on
the line), so nothing lingers in transit once a transfer is received.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.inventory.models import Location, StockMove, Transfer, TransferLine, Warehouse
from apps.inventory.services import InventoryError, MoveLine, stock_moves_post

Kind = StockMove.Kind


@dataclass(frozen=True)
class TransferItem:
    variant_id: int
    source_location_id: int
    quantity: Decimal


def _transit(warehouse: Warehouse) -> Location:
    return Location.objects.get(warehouse=warehouse, kind=Location.Kind.TRANSIT)


def _locked(transfer: Transfer, *allowed: str) -> Transfer:
    current = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if current.status not in allowed:
        raise InventoryError(
            f"{current.number} is {current.get_status_display().lower()}; that can't be done now."
        )
    return current


def transfer_create(
    *,
    source: Warehouse,
    destination: Warehouse,
    items: Sequence[TransferItem],
    user=None,
    note: str = "",
) -> Transfer:
    if source.pk == destination.pk:
        raise InventoryError("Choose two different warehouses.")
    if not items:
        raise InventoryError("Add at least one line to the transfer.")
    locations = {
        loc.pk: loc for loc in Location.objects.filter(pk__in=[i.source_location_id for i in items])
    }
    for item in items:
        if Decimal(item.quantity) <= 0:
            raise InventoryError("Each line needs a quantity greater than zero.")
        location = locations.get(item.source_location_id)
        if location is None or location.warehouse_id != source.pk:
            raise InventoryError(f"The source location of every line must be in {source.code}.")
    with transaction.atomic():
        transfer = Transfer.objects.create(
            source=source, destination=destination, created_by=user, note=note
        )
        TransferLine.objects.bulk_create(
            [
                TransferLine(
                    transfer=transfer,
                    variant_id=i.variant_id,
                    source_location_id=i.source_location_id,
                    quantity=Decimal(i.quantity),
                )
                for i in items
            ]
        )
    return transfer


def transfer_ship(*, transfer: Transfer, user=None) -> Transfer:
    with transaction.atomic():
        transfer = _locked(transfer, Transfer.Status.DRAFT)
        transit = _transit(transfer.destination)
        lines = list(transfer.lines.all())
        moves = [
            MoveLine(line.variant_id, line.source_location_id, -line.quantity) for line in lines
        ]
        moves += [MoveLine(line.variant_id, transit.pk, line.quantity) for line in lines]
        stock_moves_post(
            lines=moves,
            kind=Kind.TRANSFER_OUT,
            user=user,
            reference=("transfer", transfer.pk),
            note=transfer.number,
        )
        transfer.status = Transfer.Status.SHIPPED
        transfer.shipped_at = timezone.now()
        transfer.save(update_fields=["status", "shipped_at"])
    return transfer


def transfer_receive(
    *, transfer: Transfer, location: Location, received: dict[int, Decimal] | None = None, user=None
) -> Transfer:
    """Receive a shipped transfer into ``location``. ``received`` maps line id to the
    quantity that arrived (default: everything shipped)."""
    with transaction.atomic():
        transfer = _locked(transfer, Transfer.Status.SHIPPED)
        if (
            location.warehouse_id != transfer.destination_id
            or location.kind == Location.Kind.TRANSIT
        ):
            raise InventoryError(
                f"Receive into a location of {transfer.destination.code} (not its in-transit location)."
            )
        transit = _transit(transfer.destination)
        arrivals, shortfalls = [], []
        lines = list(transfer.lines.all())
        for line in lines:
            got = line.quantity if received is None else Decimal(received.get(line.pk, 0))
            if got < 0 or got > line.quantity:
                raise InventoryError(
                    f"Received quantity for a line must be between 0 and {line.quantity.normalize()}."
                )
            line.received_quantity = got
            if got:
                arrivals += [
                    MoveLine(line.variant_id, transit.pk, -got),
                    MoveLine(line.variant_id, location.pk, got),
                ]
            if got < line.quantity:
                shortfalls.append(MoveLine(line.variant_id, transit.pk, -(line.quantity - got)))
        if arrivals:
            stock_moves_post(
                lines=arrivals,
                kind=Kind.TRANSFER_IN,
                user=user,
                reference=("transfer", transfer.pk),
                note=transfer.number,
            )
        if shortfalls:
            stock_moves_post(
                lines=shortfalls,
                kind=Kind.ADJUSTMENT,
                reason="lost",
                user=user,
                reference=("transfer", transfer.pk),
                note=f"{transfer.number}: shipped but not received",
            )
        TransferLine.objects.bulk_update(lines, ["received_quantity"])
        transfer.status = Transfer.Status.RECEIVED
        transfer.received_at = timezone.now()
        transfer.save(update_fields=["status", "received_at"])
    return transfer


def transfer_close(*, transfer: Transfer) -> Transfer:
    with transaction.atomic():
        transfer = _locked(transfer, Transfer.Status.RECEIVED)
        transfer.status = Transfer.Status.CLOSED
        transfer.save(update_fields=["status"])
    return transfer


def transfer_cancel(*, transfer: Transfer) -> Transfer:
    with transaction.atomic():
        transfer = _locked(transfer, Transfer.Status.DRAFT)
        transfer.status = Transfer.Status.CANCELLED
        transfer.save(update_fields=["status"])
    return transfer
