"""Shipments: goods leaving for the customer, in one go or in several (partial fulfilment).

Shipping consumes the lines' reservations through the ledger
(``reservation_consume``: reserved and on-hand go down together, a *shipment* move
per location), so what was promised is what leaves. A shipment comes from one
warehouse; an order whose stock sits in two warehouses ships twice. The order becomes
*partially shipped* until every line is fully shipped, then *shipped*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.core.sequences import document_number
from apps.inventory.services import reservation_consume
from apps.sales.allocation import line_reservations
from apps.sales.carriers import CARRIERS
from apps.sales.config import sales_settings
from apps.sales.errors import SalesError
from apps.sales.models import (
    PickList,
    SalesOrder,
    SalesOrderEvent,
    SalesOrderLine,
    Shipment,
    ShipmentLine,
)

Status = SalesOrder.Status
ZERO = Decimal("0")
SHIPPABLE = (Status.CONFIRMED, Status.PICKING, Status.PACKED, Status.PARTIALLY_SHIPPED)


@dataclass(frozen=True)
class ShipItem:
    line_id: int
    quantity: Decimal


def _qty(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def shipment_create(
    *,
    order: SalesOrder,
    items: Sequence[ShipItem] | None = None,
    warehouse_id: int | None = None,
    carrier: str = "",
    service: str = "",
    tracking_number: str = "",
    weight_kg: Decimal | None = None,
    packages: int = 1,
    shipped_at: datetime | None = None,
    user=None,
) -> Shipment:
    """Ship ``items`` (default: everything reserved in the warehouse) from one warehouse
    (default: the one holding most of the order's reserved stock)."""
    from apps.sales.services import event_add, locked

    carrier = (carrier or "").strip().lower()
    if carrier and carrier not in CARRIERS:
        raise SalesError(f"Unknown carrier “{carrier}”.", field="carrier")
    if packages is None or int(packages) < 1:
        raise SalesError("A shipment has at least one package.", field="packages")
    if weight_kg not in (None, "") and Decimal(str(weight_kg)) < 0:
        raise SalesError("The weight cannot be negative.", field="weight_kg")
    with transaction.atomic():
        order = locked(order, *SHIPPABLE, action="shipped")
        lines = {line.pk: line for line in order.lines.select_related("variant")}
        reservations = line_reservations(lines.values())
        if warehouse_id is None:
            # The warehouse holding most of what is asked for (everything, by default).
            asked = {i.line_id for i in items} if items is not None else None
            totals: dict[int, Decimal] = {}
            for r in reservations:
                if asked is not None and int(r.reference_id) not in asked:
                    continue
                w = r.level.location.warehouse_id
                totals[w] = totals.get(w, ZERO) + r.quantity
            if not totals:
                raise SalesError(
                    f"{order.number} has no reserved stock to ship (everything is backordered)."
                )
            warehouse_id = max(sorted(totals), key=lambda w: totals[w])
        here = [r for r in reservations if r.level.location.warehouse_id == warehouse_id]
        reserved_here: dict[int, Decimal] = {}
        for r in here:
            reserved_here[int(r.reference_id)] = (
                reserved_here.get(int(r.reference_id), ZERO) + r.quantity
            )
        if items is None:
            wanted = dict(reserved_here)
        else:
            wanted = {}
            for item in items:
                quantity = Decimal(str(item.quantity))
                if quantity == 0:
                    continue
                line = lines.get(item.line_id)
                if line is None:
                    raise SalesError("A shipment line names a line that is not on this order.")
                if quantity < 0:
                    raise SalesError(f"{line.variant.sku}: ship a quantity greater than zero.")
                if quantity > reserved_here.get(line.pk, ZERO):
                    raise SalesError(
                        f"{line.variant.sku}: {_qty(quantity)} asked, "
                        f"{_qty(reserved_here.get(line.pk, ZERO))} reserved in this warehouse.",
                        field="quantity",
                    )
                wanted[line.pk] = wanted.get(line.pk, ZERO) + quantity
        if not any(q > 0 for q in wanted.values()):
            raise SalesError("Choose at least one line and quantity to ship.")
        shipment = Shipment.objects.create(
            number=document_number(sales_settings().shipment_prefix, "sales_shipment"),
            order=order,
            warehouse_id=warehouse_id,
            carrier=carrier,
            service=service.strip()[:60],
            tracking_number=tracking_number.strip()[:80],
            weight_kg=Decimal(str(weight_kg)) if weight_kg not in (None, "") else None,
            packages=int(packages),
            shipped_at=shipped_at or timezone.now(),
            created_by=user,
        )
        shipment_lines = []
        left = dict(wanted)
        for r in here:  # in the ledger's (variant, location) order
            line_id = int(r.reference_id)
            take = min(left.get(line_id, ZERO), r.quantity)
            if take <= 0:
                continue
            move = reservation_consume(
                reservation=r, quantity=take, user=user, reference=("sales_shipment", shipment.pk)
            )
            left[line_id] -= take
            shipment_lines.append(
                ShipmentLine(
                    shipment=shipment,
                    order_line_id=line_id,
                    location_id=r.level.location_id,
                    quantity=take,
                    move=move,
                )
            )
        ShipmentLine.objects.bulk_create(shipment_lines)
        for line_id, quantity in wanted.items():
            line = lines[line_id]
            line.shipped_quantity += quantity
            line.allocated_quantity -= quantity
            SalesOrderLine.objects.filter(pk=line_id).update(
                shipped_quantity=line.shipped_quantity, allocated_quantity=line.allocated_quantity
            )
        complete = all(line.shipped_quantity >= line.quantity for line in lines.values())
        order.status = Status.SHIPPED if complete else Status.PARTIALLY_SHIPPED
        if complete:
            order.shipped_at = shipment.shipped_at
        order.save(update_fields=["status", "shipped_at", "updated_at"])
        _close_pick_lists(order)
        event_add(
            order=order,
            kind=SalesOrderEvent.Kind.SHIPPED,
            user=user,
            message=f"{shipment.number}: "
            + ", ".join(f"{lines[i].variant.sku} {_qty(q)}" for i, q in wanted.items())
            + (
                f" — {shipment.carrier.upper()} {shipment.tracking_number}"
                if shipment.tracking_number
                else ""
            ),
            data={"shipment": shipment.pk},
        )
        from apps.sales.webhooks import order_event_emit

        order_event_emit(event="order.shipped", order=order, shipment=shipment)
    return shipment


def _close_pick_lists(order: SalesOrder) -> None:
    """Open pick lists whose orders have nothing reserved left are done."""
    for pick_list in PickList.objects.filter(orders=order, status=PickList.Status.OPEN):
        remaining = line_reservations(
            SalesOrderLine.objects.filter(order__in=pick_list.orders.all())
        )
        if not remaining:
            pick_list.status = PickList.Status.DONE
            pick_list.completed_at = timezone.now()
            pick_list.save(update_fields=["status", "completed_at"])


def shipment_deliver(*, shipment: Shipment, user=None, delivered_at=None) -> Shipment:
    """Record the delivery of one shipment; the order is delivered once all its shipments
    are and nothing is left to ship."""
    from apps.sales.services import event_add

    when = delivered_at or timezone.now()
    with transaction.atomic():
        order = SalesOrder.objects.select_for_update(of=("self",)).get(pk=shipment.order_id)
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        if shipment.delivered_at:
            raise SalesError(f"{shipment.number} was already delivered.")
        shipment.delivered_at = when
        shipment.status = Shipment.Status.DELIVERED
        shipment.save(update_fields=["delivered_at", "status"])
        if (
            order.status == Status.SHIPPED
            and not order.shipments.filter(delivered_at__isnull=True).exists()
        ):
            order.status = Status.DELIVERED
            order.delivered_at = when
            order.save(update_fields=["status", "delivered_at", "updated_at"])
        event_add(
            order=order,
            kind=SalesOrderEvent.Kind.DELIVERED,
            user=user,
            message=f"{shipment.number} delivered",
        )
    return shipment
