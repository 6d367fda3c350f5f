"""Channel orders into sales orders: created, confirmed (stock reserved), cancelled.

The channel owns its orders: an imported order is confirmed at once so its stock is reserved
(what cannot be reserved waits as a backorder, like any order), later edits on the channel
are not applied, a cancellation on the channel cancels it here. Each order is imported once
(external-id map; a replayed or re-sent order is skipped) and all or nothing: an order with a
line whose SKU Stockroom does not know fails as a whole, with that SKU in the sync log.
Customers are matched by the channel's customer id, then by email, else created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from apps.catalog.models import Variant
from apps.core.errors import DomainError
from apps.integrations import ids
from apps.integrations.models import Connection, Provider
from apps.integrations.stock import connection_warehouses


@dataclass
class RemoteLine:
    variant_id: str  # the channel's variant id, as mapped in ExternalId ("variant")
    sku: str
    quantity: Decimal
    unit_price: Decimal | None
    title: str = ""


@dataclass
class RemoteOrder:
    order_id: str
    number: str
    currency: str
    customer_id: str
    customer_name: str
    email: str
    lines: list[RemoteLine] = field(default_factory=list)
    shipping_address: str = ""

    @property
    def record(self) -> str:
        return f"order {self.number} ({self.order_id})"


class OrderImportError(DomainError):
    pass


def decimal_or_none(value) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _variant(connection: Connection, line: RemoteLine) -> Variant:
    link = ids.local_for(connection, "variant", line.variant_id) if line.variant_id else None
    if link:
        return Variant.objects.get(pk=link.local_id)
    variant = (
        Variant.objects.filter(sku__iexact=(line.sku or "").strip()).first() if line.sku else None
    )
    if variant is None:
        raise OrderImportError(
            f"“{line.title or line.sku or line.variant_id}” has no SKU known to Stockroom "
            f"({line.sku or 'no SKU'}): import the product, then retry."
        )
    return variant


def _customer(connection: Connection, remote: RemoteOrder):
    from apps.sales.customers.services import CustomerData, customer_create
    from apps.sales.models import Customer

    if remote.customer_id:
        link = ids.local_for(connection, "customer", remote.customer_id)
        if link:
            return Customer.objects.get(pk=link.local_id)
    customer = None
    if remote.email:
        customer = (
            Customer.objects.filter(email__iexact=remote.email, erased_at__isnull=True)
            .order_by("id")
            .first()
        )
    if customer is None:
        customer = customer_create(
            data=CustomerData(
                name=remote.customer_name or remote.email or f"{connection.name} customer",
                kind=Customer.Kind.PERSON,
                email=remote.email,
                currency=(remote.currency or "USD").upper(),
                notes=f"Imported from {connection.name}.",
            ),
            allow_duplicate=True,
        )
    if remote.customer_id and not ids.local_for(connection, "customer", remote.customer_id):
        if not ids.external_for(connection, "customer", customer.pk):
            ids.link(connection, "customer", local_id=customer.pk, external_id=remote.customer_id)
    return customer


def order_import(connection: Connection, recorder, remote: RemoteOrder) -> None:
    from apps.sales.services import LineInput, sales_order_confirm, sales_order_create

    if ids.local_for(connection, "order", remote.order_id):
        recorder.count("skipped")
        return
    if not remote.lines:
        recorder.count("skipped")
        return
    warehouses = connection_warehouses(connection)
    try:
        with transaction.atomic():
            customer = _customer(connection, remote)
            lines = [
                LineInput(
                    variant_id=_variant(connection, line).pk,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    description=line.title[:200],
                )
                for line in remote.lines
            ]
            order = sales_order_create(
                customer=customer,
                lines=lines,
                warehouse=_warehouse(warehouses),
                channel=order_channel(connection),
                customer_reference=f"{connection.name} {remote.number}"[:60],
                notes=f"Imported from {connection.name} ({remote.order_id}).",
                shipping_address=remote.shipping_address or None,
            )
            sales_order_confirm(order=order)
            ids.link(connection, "order", local_id=order.pk, external_id=remote.order_id)
    except DomainError as exc:
        recorder.fail(remote.record, exc.message)
        return
    recorder.count("created")


def order_channel(connection: Connection) -> str:
    """The sales channel an imported order is reported under: web shops are the "Web shop";
    a marketplace (Amazon) is the "Marketplace", so sales-by-channel keeps them apart.
    (A channel per marketplace would need a new SalesOrder.Channel choice.)"""
    from apps.sales.models import SalesOrder

    if connection.provider == Provider.AMAZON:
        return SalesOrder.Channel.MARKETPLACE
    return SalesOrder.Channel.WEB


def _warehouse(warehouse_ids: list[int]):
    from apps.inventory.models import Warehouse

    return Warehouse.objects.filter(pk__in=warehouse_ids[:1]).first()


def order_cancel(
    connection: Connection, recorder, *, order_id: str, number: str, reason: str
) -> None:
    from apps.sales.models import SalesOrder
    from apps.sales.services import sales_order_cancel

    link = ids.local_for(connection, "order", order_id)
    if link is None:
        recorder.count("skipped")
        return
    order = SalesOrder.objects.get(pk=link.local_id)
    if order.status == SalesOrder.Status.CANCELLED:
        recorder.count("skipped")
        return
    try:
        sales_order_cancel(order=order, reason=reason)
    except DomainError as exc:
        recorder.fail(f"order {number} ({order_id})", exc.message)
        return
    recorder.count("updated")
