"""Demo purchasing data for a company, consistent with its stock history.

``purchasing_demo_seed(slug=...)`` runs inside the company's schema after
``apps.core.demo_catalog.seed_catalog`` (the lead calls it from ``seed_demo``). It
is deterministic (seeded by the subdomain) and idempotent (does nothing when the
company already has purchase orders).

- History: the stock history already holds the weekly "Supplier delivery" receipts.
  Each week's deliveries are grouped by preferred supplier and warehouse into one
  purchase order with its receipt, written as records only (the stock moves exist
  already, so nothing is posted twice). Order dates are set back from the delivery by
  a lead time drawn per supplier (its own bias and spread), so some deliveries are
  late; a few orders arrive short (closed short) or with rejected units.
- Open work: orders in every status, made through the services (the partly and fully
  received ones post real receipts through the ledger).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.catalog.models import SupplierItem
from apps.core.sequences import document_number
from apps.inventory.models import Location, StockMove, Warehouse
from apps.purchasing.config import company_currency, purchasing_settings
from apps.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
)
from apps.purchasing.receiving import ReceiveItem, purchase_order_receive
from apps.purchasing.services import (
    LineInput,
    event_add,
    purchase_order_approve,
    purchase_order_cancel,
    purchase_order_close,
    purchase_order_create,
    purchase_order_reject,
    purchase_order_submit,
)

Status = PurchaseOrder.Status
Event = PurchaseOrderEvent.Kind
ZERO = Decimal("0")


def purchasing_demo_seed(*, slug: str) -> int:
    """Returns the number of purchase orders created (0 when already seeded)."""
    if PurchaseOrder.objects.exists():
        return 0
    rng = random.Random(f"purchasing-{slug}")
    with transaction.atomic():
        created = _history(rng)
        created += _open_orders(rng)
    return created


def _history(rng: random.Random) -> int:
    items = {
        item.variant_id: item
        for item in SupplierItem.objects.filter(is_preferred=True).select_related("supplier")
    }
    profile = {  # per supplier: (bias in days, spread in days)
        supplier_id: (rng.choice([-2, -1, 0, 1]), rng.choice([1, 2, 3]))
        for supplier_id in {item.supplier_id for item in items.values()}
    }
    groups: dict[tuple, list[StockMove]] = defaultdict(list)
    moves = StockMove.objects.filter(
        kind=StockMove.Kind.RECEIPT, reference_type="demo-week"
    ).select_related("location")
    for move in moves.order_by("created_at", "id"):
        item = items.get(move.variant_id)
        if item is not None:
            groups[(move.created_at, item.supplier_id, move.location.warehouse_id)].append(move)
    if not groups:
        return 0
    currency = company_currency()
    now = timezone.now()
    orders, lines, receipts, receipt_lines, events = [], [], [], [], []
    plan = []
    for (delivered, supplier_id, warehouse_id), group in sorted(groups.items(), key=lambda g: g[0]):
        supplier = items[group[0].variant_id].supplier
        bias, spread = profile[supplier_id]
        lead = max(1, round(rng.gauss(supplier.default_lead_time_days + bias, spread)))
        ordered_at = delivered - timedelta(days=lead)
        short = rng.random() < 0.08
        order = PurchaseOrder(
            number=document_number(purchasing_settings().number_prefix, "purchase_order"),
            supplier=supplier,
            warehouse_id=warehouse_id,
            status=Status.CLOSED
            if now - delivered > timedelta(days=30) or short
            else Status.RECEIVED,
            currency=currency,
            order_date=timezone.localdate(ordered_at),
            expected_date=timezone.localdate(ordered_at)
            + timedelta(days=supplier.default_lead_time_days),
            notes="",
            created_at=ordered_at,
            submitted_at=ordered_at,
            approved_at=ordered_at,
            sent_at=ordered_at,
            received_at=delivered,
            closed_at=delivered if short or now - delivered > timedelta(days=30) else None,
        )
        orders.append(order)
        plan.append((order, group, short, delivered))
    PurchaseOrder.objects.bulk_create(orders)
    for order, group, short, delivered in plan:
        subtotal = ZERO
        for i, move in enumerate(group):
            rejected = Decimal(rng.randint(1, 3)) if rng.random() < 0.04 else ZERO
            missing = Decimal(rng.randint(1, 5)) if short and i == 0 else ZERO
            line = PurchaseOrderLine(
                order=order,
                variant_id=move.variant_id,
                supplier_sku=items[move.variant_id].supplier_sku,
                pack_size=Decimal("1"),
                quantity=move.quantity + rejected + missing,
                unit_cost=move.unit_cost,
                received_quantity=move.quantity,
                rejected_quantity=rejected,
            )
            lines.append(line)
            subtotal += line.line_value
        order.subtotal = order.total = subtotal
        receipts.append(Receipt(order=order, location=group[0].location, received_at=delivered))
        events += [
            PurchaseOrderEvent(order=order, kind=Event.CREATED, created_at=order.created_at),
            PurchaseOrderEvent(order=order, kind=Event.SENT, created_at=order.created_at),
            PurchaseOrderEvent(
                order=order, kind=Event.RECEIVED, created_at=delivered, message="Delivered"
            ),
        ]
        if order.status == Status.CLOSED:
            events.append(
                PurchaseOrderEvent(
                    order=order,
                    kind=Event.CLOSED,
                    created_at=order.closed_at,
                    message="Closed short: the rest never came." if short else "",
                )
            )
    PurchaseOrder.objects.bulk_update(orders, ["subtotal", "total"])
    PurchaseOrderLine.objects.bulk_create(lines)
    Receipt.objects.bulk_create(receipts)
    receipt_of = {r.order_id: r for r in receipts}
    receipt_lines = [
        ReceiptLine(
            receipt=receipt_of[line.order_id],
            order_line=line,
            quantity=line.received_quantity,
            rejected_quantity=line.rejected_quantity,
            reject_reason="damaged" if line.rejected_quantity else "",
            unit_cost=line.unit_cost,
        )
        for line in lines
    ]
    ReceiptLine.objects.bulk_create(receipt_lines)
    PurchaseOrderEvent.objects.bulk_create(events)
    return len(orders)


def _open_orders(rng: random.Random) -> int:
    owner = User.objects.filter(role=Role.OWNER, is_active=True).order_by("pk").first()
    manager = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
    items = list(
        SupplierItem.objects.filter(is_preferred=True)
        .select_related("supplier", "variant")
        .order_by("supplier__name", "variant__sku")
    )
    warehouse = Warehouse.objects.filter(is_active=True).order_by("code").first()
    if not items or warehouse is None:
        return 0
    receiving = Location.objects.get(warehouse=warehouse, kind=Location.Kind.RECEIVING)
    by_supplier = defaultdict(list)
    for item in items:
        by_supplier[item.supplier].append(item)
    suppliers = list(by_supplier)
    currency = company_currency()
    threshold = purchasing_settings().approval_threshold or Decimal("1000")

    def make(index: int, *, big: bool = False) -> PurchaseOrder:
        supplier = suppliers[index % len(suppliers)]
        chosen = rng.sample(by_supplier[supplier], k=min(3, len(by_supplier[supplier])))
        lines = []
        for item in chosen:
            quantity = round_up(Decimal(rng.choice([10, 20, 30])), item)
            if big:  # enough to need approval
                unit = max(item.cost, Decimal("1"))
                quantity = round_up((threshold / unit / len(chosen)).to_integral_value() + 1, item)
            lines.append(LineInput(item.variant_id, quantity))
        return purchase_order_create(
            supplier=supplier,
            warehouse=warehouse,
            lines=lines,
            currency=currency,
            user=manager or owner,
            created_at=timezone.now() - timedelta(days=rng.randint(1, 12)),
        )

    def approved(order: PurchaseOrder) -> PurchaseOrder:
        order = purchase_order_submit(order=order, user=manager)
        if order.status == Status.AWAITING_APPROVAL and owner is not None:
            order = purchase_order_approve(order=order, user=owner)
        return order

    made = [make(0), make(1)]  # drafts
    made.append(purchase_order_submit(order=make(2, big=True), user=manager))  # awaiting approval
    made.append(approved(make(3)))
    sent = approved(make(4))
    PurchaseOrder.objects.filter(pk=sent.pk).update(status=Status.SENT, sent_at=timezone.now())
    event_add(order=sent, kind=Event.SENT, user=manager, message="Emailed to the supplier")
    made.append(sent)
    partial = approved(make(5))
    first = partial.lines.order_by("pk").first()
    purchase_order_receive(
        order=partial,
        location=receiving,
        items=[ReceiveItem(first.pk, max(first.quantity / 2, Decimal("1")).to_integral_value())],
        user=manager,
    )
    made.append(partial)
    full = approved(make(6))
    purchase_order_receive(
        order=full,
        location=receiving,
        items=[ReceiveItem(line.pk, line.quantity) for line in full.lines.all()],
        user=manager,
    )
    made.append(full)
    closed = approved(make(7))
    purchase_order_receive(
        order=closed,
        location=receiving,
        items=[ReceiveItem(line.pk, line.quantity) for line in closed.lines.all()],
        user=manager,
    )
    made.append(purchase_order_close(order=closed, user=manager))
    made.append(purchase_order_cancel(order=make(8), user=manager, reason="Ordered twice"))
    if owner is not None:
        waiting = purchase_order_submit(order=make(9, big=True), user=manager)
        made.append(
            purchase_order_reject(order=waiting, user=owner, comment="Too much stock; halve it.")
        )
        second = purchase_order_submit(order=make(10, big=True), user=manager)
        made.append(purchase_order_approve(order=second, user=owner, comment="OK for the season"))
    return len(made)


def round_up(quantity: Decimal, item: SupplierItem) -> Decimal:
    from apps.purchasing.replenishment import round_order_quantity

    return round_order_quantity(
        quantity, minimum=item.minimum_order_quantity, pack_size=item.pack_size
    )
