"""Demo sales for a company, consistent with its stock history.

``sales_demo_seed(slug=...)`` runs inside the company's schema after
``apps.core.demo_catalog.seed_catalog`` (the lead calls it from ``seed_demo``).
Deterministic (seeded by the subdomain) and idempotent (nothing happens when the
company already has sales orders).

- Customers: when the company has none yet, a few dozen companies and people on three
  price tiers. How often each buys follows a long tail (a few heavy repeat buyers, many
  occasional ones); some join late in the history and some stop buying (churn), so
  recency and frequency differ the way real customer bases do.
- History: the stock history already holds each day's shipment documents per
  warehouse. Each day's units are dealt into customer orders of one to five lines
  (big quantities often as one bulk purchase), ordered the day before or that morning,
  written as records only — orders, lines, shipments pointing at those moves,
  invoices, payments and timelines — in batches, so nothing is posted twice and the
  ledger stays what it is. Lines sold in a promotion of the history carry its discount.
  Older orders are delivered and paid; recent invoices are partly open. The history's
  customer returns (``return`` moves) become restocked sales returns against an
  earlier line of that variant and place; about one order in a hundred also has a
  scrapped return (no stock effect).
- Open work: orders in every status, made through the services on the current stock
  (confirming reserves, shipping and restocking returns post real moves).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Variant
from apps.core.demo_history import HISTORY_REFERENCE, promotion_discount
from apps.core.sequences import document_number, sequence_next, sequence_restart
from apps.inventory.models import StockLevel, StockMove
from apps.sales.config import sales_settings
from apps.sales.models import (
    Customer,
    CustomerAddress,
    Invoice,
    InvoiceLine,
    Payment,
    PriceTier,
    SalesOrder,
    SalesOrderEvent,
    SalesOrderLine,
    SalesReturn,
    SalesReturnLine,
    Shipment,
    ShipmentLine,
)
from apps.sales.pricing import line_money, tier_price

Status = SalesOrder.Status
Event = SalesOrderEvent.Kind
ZERO = Decimal("0")
FIRST = ["Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Iris", "Jonas", "Kemi", "Liam"]  # fmt: skip
LAST = ["Okafor", "Schmidt", "Rossi", "Tanaka", "Novak", "Silva", "Larsen", "Dubois", "Khan", "Meyer"]  # fmt: skip
COMPANY = ["Northwind", "Bluebird", "Summit", "Harbor", "Maple", "Copper", "Lumen", "Atlas", "Juniper", "Orbit", "Vista", "Keystone"]  # fmt: skip
SUFFIX = ["Trading", "Retail", "Supplies", "Outfitters", "& Co", "Store", "Group"]
CITIES = [("New York", "NY", "US"), ("Chicago", "IL", "US"), ("Austin", "TX", "US"), ("Denver", "CO", "US"), ("Seattle", "WA", "US")]  # fmt: skip
CARRIERS = ["ups", "fedex", "usps", "dhl"]


def sales_demo_seed(*, slug: str) -> int:
    """Returns the number of sales orders created (0 when already seeded)."""
    if SalesOrder.objects.exists():
        return 0
    rng = random.Random(f"sales-{slug}")
    with transaction.atomic():
        tiers = _tiers()
        customers = _customers(rng, tiers)
        created = _history(rng, customers)
    created += _open_work(rng, customers)
    from apps.sales.selectors import status_counts_forget

    status_counts_forget()  # the history was written in bulk, without timeline calls
    return created


def _tiers() -> dict[str, PriceTier]:
    if not PriceTier.objects.exists():
        PriceTier.objects.create(name="Retail", discount_percent=ZERO, is_default=True)
        PriceTier.objects.create(name="Trade", discount_percent=Decimal(10))
        PriceTier.objects.create(name="Wholesale", discount_percent=Decimal(20))
    return {t.name: t for t in PriceTier.objects.all()}


def _customers(rng: random.Random, tiers: dict[str, PriceTier]) -> list[Customer]:
    existing = list(Customer.objects.filter(is_active=True, erased_at__isnull=True))
    if existing:
        return existing
    from apps.purchasing.config import company_currency

    currency = company_currency()
    customers = []
    for n in range(36):
        company = n % 3 != 2
        if company:
            name = f"{rng.choice(COMPANY)} {rng.choice(SUFFIX)} {n + 1}"
            tier = tiers.get(rng.choice(["Trade", "Trade", "Wholesale", "Retail"]))
        else:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            tier = tiers.get("Retail")
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
        customers.append(
            Customer(
                kind=Customer.Kind.COMPANY if company else Customer.Kind.PERSON,
                name=name,
                email=f"{slug}@example.com",
                phone=f"+1 555 01{n:02d}",
                price_tier=tier,
                payment_terms_days=30 if company else 0,
                marketing_consent=rng.random() < 0.6,
                currency=currency,
            )
        )
    customers = Customer.objects.bulk_create(customers)
    addresses = []
    for i, customer in enumerate(customers):
        city, region, country = CITIES[i % len(CITIES)]
        for kind in (CustomerAddress.Kind.SHIPPING, CustomerAddress.Kind.BILLING):
            addresses.append(
                CustomerAddress(
                    customer=customer,
                    kind=kind,
                    line1=f"{100 + i * 7} {rng.choice(['Main', 'Oak', 'Pine', 'Lake'])} Street",
                    city=city,
                    region=region,
                    postal_code=f"{10000 + i * 37}",
                    country=country,
                    is_default=True,
                )
            )
    CustomerAddress.objects.bulk_create(addresses)
    return customers


def _shape(rng: random.Random, customers: list[Customer], days: int) -> dict[int, tuple]:
    """Per customer: (weight, first active day, last active day). A long tail of weights;
    a quarter join late, a fifth churn."""
    shape = {}
    for customer in customers:
        weight = rng.paretovariate(1.3)
        first = rng.randint(0, days * 2 // 3) if rng.random() < 0.25 else 0
        last = rng.randint(first + 28, days) if rng.random() < 0.2 and first + 28 <= days else days
        shape[customer.pk] = (weight, first, min(last, days))
    return shape


def _history(rng: random.Random, customers: list[Customer]) -> int:
    """Customer orders for the history's daily shipment documents, written in batches."""
    moves = list(
        StockMove.objects.filter(kind=StockMove.Kind.SHIPMENT, reference_type=HISTORY_REFERENCE)
        .select_related("location")
        .order_by("created_at", "id")
    )
    if not moves or not customers:
        return 0
    by_day: dict[str, dict[int, list[StockMove]]] = defaultdict(lambda: defaultdict(list))
    for move in moves:
        by_day[move.reference_id][move.location.warehouse_id].append(move)
    first = timezone.localdate(moves[0].created_at)
    span = (timezone.localdate(moves[-1].created_at) - first).days
    shape = _shape(rng, customers, span)
    variants = Variant.objects.select_related("product").in_bulk({m.variant_id for m in moves})
    settings = sales_settings()
    now = timezone.now()
    created, batch = 0, []
    sold: dict[tuple[int, int], list] = defaultdict(list)  # (variant, location) -> order lines
    for day in sorted(by_day):
        index = (
            timezone.localdate(by_day[day][next(iter(by_day[day]))][0].created_at) - first
        ).days
        active = [c for c in customers if shape[c.pk][1] <= index <= shape[c.pk][2]] or customers
        weights = [shape[c.pk][0] for c in active]
        for warehouse_id in sorted(by_day[day]):
            for lines in _orders_of_day(rng, by_day[day][warehouse_id]):
                customer = rng.choices(active, weights=weights)[0]
                batch.append((customer, lines[0][0].created_at, lines))
        if len(batch) >= 1500:
            created += _write_orders(rng, batch, variants, settings, now, sold)
            batch = []
    if batch:
        created += _write_orders(rng, batch, variants, settings, now, sold)
    _restocked_returns(rng, sold, settings)
    return created


def _orders_of_day(rng: random.Random, moves: list[StockMove]) -> list[list]:
    """A day's shipment moves at one warehouse as orders of one to five lines: each
    move's units are split into chunks (one customer's purchase; big quantities are
    often one trade customer buying in bulk), chunks are dealt into orders."""
    chunks = []
    for move in moves:
        left = int(-move.quantity)
        if left >= 4 and rng.random() < 0.5:
            chunks.append((move, left))
            continue
        while left > 0:
            take = min(left, rng.choice([1, 1, 2, 2, 3]))
            chunks.append((move, take))
            left -= take
    rng.shuffle(chunks)
    orders: list[list] = []
    while chunks:
        size = min(len(chunks), rng.choice([1, 1, 2, 2, 3, 3, 4, 5]))
        picked, chunks = chunks[:size], chunks[size:]
        merged: dict[int, list] = {}
        for move, quantity in picked:  # one line per variant
            if move.variant_id in merged:
                merged[move.variant_id][1] += quantity
            else:
                merged[move.variant_id] = [move, quantity]
        orders.append(list(merged.values()))
    return orders


def _numbers(prefix: str, name: str, count: int) -> list[str]:
    """A block of ``count`` numbers in one go (the demo runs alone, so nobody takes numbers
    from the middle of the block; real documents use ``document_number`` one at a time)."""
    first = sequence_next(name)
    if count > 1:
        sequence_restart(name, next_value=first + count)
    return [f"{prefix}{n:06d}" for n in range(first, first + count)]


def _write_orders(rng, orders, variants, settings, now, sold) -> int:
    """Orders, lines, shipments, invoices, payments and timelines of a batch of history
    orders, in a handful of bulk inserts; ``sold`` collects the lines for returns."""
    built = []
    order_numbers = iter(_numbers(settings.order_prefix, "sales_order", len(orders)))
    shipment_numbers = iter(_numbers(settings.shipment_prefix, "sales_shipment", len(orders)))
    invoice_numbers = iter(_numbers(settings.invoice_prefix, "sales_invoice", len(orders)))
    for customer, shipped_on, lines in orders:
        # Ordered the day before or earlier the same day; shipped in the afternoon.
        ordered = shipped_on - timedelta(hours=rng.randint(2, 30), minutes=rng.randint(0, 59))
        delivered = shipped_on + timedelta(days=rng.randint(1, 5))
        order = SalesOrder(
            number=next(order_numbers),
            customer=customer,
            status=Status.DELIVERED if delivered < now else Status.SHIPPED,
            channel=rng.choices(
                ["web", "manual", "phone", "email", "marketplace"], weights=[5, 2, 1, 1, 3]
            )[0],
            currency=customer.currency,
            order_date=timezone.localdate(ordered),
            created_at=ordered,
            confirmed_at=ordered + timedelta(minutes=rng.randint(5, 240)),
            shipped_at=shipped_on,
            delivered_at=delivered if delivered < now else None,
        )
        tier_discount = customer.price_tier.discount_percent if customer.price_tier else None
        order_lines = []
        for move, quantity in lines:
            variant = variants[move.variant_id]
            promo = promotion_discount(move.note)  # sold during a promotion of the history
            price = tier_price(variant.sale_price, tier_discount, settings.tax_rounding)
            m = line_money(
                quantity=Decimal(quantity),
                unit_price=price,
                discount_percent=promo,
                tax_rate=settings.default_tax_rate,
                rounding=settings.tax_rounding,
            )
            order_lines.append(
                (
                    move,
                    SalesOrderLine(
                        variant_id=variant.pk,
                        description=variant.product.name,
                        quantity=Decimal(quantity),
                        unit_price=price,
                        list_price=price,
                        discount_percent=promo,
                        tax_rate=settings.default_tax_rate,
                        line_subtotal=m.line_subtotal,
                        discount_amount=m.discount_amount,
                        tax_amount=m.tax_amount,
                        line_total=m.line_total,
                        shipped_quantity=Decimal(quantity),
                        invoiced_quantity=Decimal(quantity),
                    ),
                )
            )
        order.subtotal = sum((li.line_subtotal for _m, li in order_lines), ZERO)
        order.discount_total = sum((li.discount_amount for _m, li in order_lines), ZERO)
        order.tax_total = sum((li.tax_amount for _m, li in order_lines), ZERO)
        order.total = sum((li.line_total for _m, li in order_lines), ZERO)
        built.append((order, order_lines))
    SalesOrder.objects.bulk_create([o for o, _ in built])
    for order, lines in built:
        for _move, line in lines:
            line.order = order
    SalesOrderLine.objects.bulk_create([li for _o, lines in built for _m, li in lines])

    skus = {pk: v.sku for pk, v in variants.items()}
    shipments, invoices, events = [], [], []
    for order, _lines in built:
        shipments.append(
            Shipment(
                number=next(shipment_numbers),
                order=order,
                warehouse_id=_lines[0][0].location.warehouse_id,
                status=Shipment.Status.DELIVERED if order.delivered_at else Shipment.Status.SHIPPED,
                carrier=rng.choice(CARRIERS),
                service=rng.choice(["Ground", "Express", "Standard"]),
                tracking_number=f"{rng.randrange(10**11, 10**12)}",
                packages=1 + len(_lines) // 3,
                shipped_at=order.shipped_at,
                delivered_at=order.delivered_at,
            )
        )
        issue = timezone.localdate(order.shipped_at)
        invoices.append(
            Invoice(
                number=next(invoice_numbers),
                order=order,
                currency=order.currency,
                issue_date=issue,
                due_date=issue + timedelta(days=order.customer.payment_terms_days),
                subtotal=order.subtotal,
                discount_total=order.discount_total,
                tax_total=order.tax_total,
                total=order.total,
                created_at=order.shipped_at,
            )
        )
        for kind, when in (
            (Event.CREATED, order.created_at),
            (Event.CONFIRMED, order.confirmed_at),
            (Event.RESERVED, order.confirmed_at),
            (Event.SHIPPED, order.shipped_at),
            (Event.DELIVERED, order.delivered_at),
        ):
            if when:
                events.append(
                    SalesOrderEvent(order=order, kind=kind, status=order.status, created_at=when)
                )
    Shipment.objects.bulk_create(shipments)
    ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(
                shipment=shipment,
                order_line=line,
                location_id=move.location_id,
                quantity=line.quantity,
                move=move,
            )
            for shipment, (_order, lines) in zip(shipments, built, strict=True)
            for move, line in lines
        ]
    )
    paid_with = {}
    for invoice, shipment in zip(invoices, shipments, strict=True):
        invoice.shipment = shipment
        age = (timezone.localdate(now) - invoice.issue_date).days
        paid = invoice.total if age > 45 or rng.random() < 0.6 else ZERO
        if age <= 45 and paid and rng.random() < 0.2:
            paid = (invoice.total / 2).quantize(Decimal("0.01"))
        if paid > 0:
            invoice.amount_paid = paid
            invoice.payment_status = (
                Invoice.PaymentStatus.PAID
                if paid >= invoice.total
                else Invoice.PaymentStatus.PARTIAL
            )
            paid_with[id(invoice)] = (
                rng.choice(["card", "card", "bank", "bank", "check"]),
                min(
                    invoice.issue_date + timedelta(days=rng.randint(0, 35)),
                    timezone.localdate(now),
                ),
            )
    Invoice.objects.bulk_create(invoices)
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                order_line=line,
                description=f"{skus[line.variant_id]} — {line.description}"[:200],
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
                line_subtotal=line.line_subtotal,
                discount_amount=line.discount_amount,
                tax_amount=line.tax_amount,
                line_total=line.line_total,
            )
            for invoice, (_order, lines) in zip(invoices, built, strict=True)
            for _move, line in lines
        ]
    )
    Payment.objects.bulk_create(
        [
            Payment(
                invoice=invoice,
                amount=invoice.amount_paid,
                method=paid_with[id(invoice)][0],
                received_on=paid_with[id(invoice)][1],
            )
            for invoice in invoices
            if id(invoice) in paid_with
        ]
    )
    SalesOrderEvent.objects.bulk_create(events)
    for order, lines in built:
        for move, line in lines:
            sold[(line.variant_id, move.location_id)].append((order, line))
    _scrapped_returns(rng, built, settings)
    return len(built)


def _scrapped_returns(rng, built, settings) -> None:
    for order, lines in built:
        if rng.random() >= 0.01 or not order.delivered_at:
            continue
        _move, line = rng.choice(lines)
        returned = SalesReturn.objects.create(
            number=document_number(settings.return_prefix, "sales_return"),
            order=order,
            reason=rng.choice(["Arrived damaged", "Faulty", "Not as described"]),
            refund_amount=(line.line_total / line.quantity).quantize(Decimal("0.01")),
            credit_note_number=document_number(settings.credit_note_prefix, "sales_credit_note"),
            created_at=order.delivered_at + timedelta(days=rng.randint(2, 12)),
        )
        SalesReturnLine.objects.create(
            sales_return=returned,
            order_line=line,
            quantity=Decimal(1),
            reason=returned.reason,
            disposition=SalesReturnLine.Disposition.SCRAP,
        )
        line.returned_quantity = Decimal(1)  # kept in memory too: restocked returns follow
        SalesOrderLine.objects.filter(pk=line.pk).update(returned_quantity=Decimal(1))
        SalesOrderEvent.objects.create(
            order=order,
            kind=Event.RETURNED,
            status=order.status,
            message=f"{returned.number}: {line.quantity.normalize():f} scrapped",
            created_at=returned.created_at,
        )


def _restocked_returns(rng, sold, settings) -> None:
    """The history's customer returns (``return`` moves back into a bin) as sales returns
    with disposition restock, each against an earlier order line of that variant shipped
    from that location; written in bulk, pointing at the moves (nothing posted twice)."""
    moves = list(
        StockMove.objects.filter(
            kind=StockMove.Kind.RETURN, reference_type=HISTORY_REFERENCE
        ).order_by("created_at", "id")
    )
    plan = []
    for move in moves:
        candidates = [
            (order, line)
            for order, line in reversed(sold.get((move.variant_id, move.location_id), []))
            if order.shipped_at < move.created_at and line.returned_quantity < line.quantity
        ]
        # The latest line delivered before the return arrived, with a unit not yet
        # returned; else the latest shipped one (refused at the door).
        delivered = [
            c for c in candidates if c[0].delivered_at and c[0].delivered_at < move.created_at
        ]
        if candidates:
            order, line = (delivered or candidates)[0]
            line.returned_quantity += move.quantity
            plan.append((move, order, line))
    if not plan:
        return
    numbers = _numbers(settings.return_prefix, "sales_return", len(plan))
    credit_notes = _numbers(settings.credit_note_prefix, "sales_credit_note", len(plan))
    returns, lines, events = [], [], []
    for (move, order, line), number, credit_note in zip(plan, numbers, credit_notes, strict=True):
        reason = rng.choice(["Wrong size", "Changed mind", "Ordered by mistake", "Not needed"])
        returned = SalesReturn(
            number=number,
            order=order,
            reason=reason,
            refund_amount=(line.line_total / line.quantity * move.quantity).quantize(
                Decimal("0.01")
            ),
            credit_note_number=credit_note,
            created_at=move.created_at,
        )
        returns.append(returned)
        lines.append(
            SalesReturnLine(
                sales_return=returned,
                order_line=line,
                quantity=move.quantity,
                reason=reason,
                disposition=SalesReturnLine.Disposition.RESTOCK,
                location_id=move.location_id,
                move=move,
            )
        )
        events.append(
            SalesOrderEvent(
                order=order,
                kind=Event.RETURNED,
                status=order.status,
                message=f"{number}: {move.quantity.normalize():f} restocked",
                created_at=move.created_at,
            )
        )
    SalesReturn.objects.bulk_create(returns)
    SalesReturnLine.objects.bulk_create(lines)
    SalesOrderLine.objects.bulk_update(
        list({line.pk: line for _m, _o, line in plan}.values()), ["returned_quantity"]
    )
    SalesOrderEvent.objects.bulk_create(events)


def _open_work(rng: random.Random, customers: list[Customer]) -> int:
    """Orders in every status on today's stock, through the services."""
    from apps.sales.picking import pick_lists_create
    from apps.sales.returns import ReturnItem, sales_return_create
    from apps.sales.services import (
        LineInput,
        sales_order_cancel,
        sales_order_confirm,
        sales_order_create,
        sales_order_hold,
        sales_order_pack,
    )
    from apps.sales.shipping import ShipItem, shipment_create

    stocked = list(
        StockLevel.objects.filter(on_hand__gt=5, reserved=0)
        .order_by("variant_id")
        .values_list("variant_id", flat=True)
        .distinct()
    )
    if len(stocked) < 6 or not customers:
        return 0
    empty = list(
        Variant.objects.exclude(stock_levels__on_hand__gt=0).values_list("pk", flat=True)[:3]
    )

    def new(lines=2, backorder=False):
        picks = rng.sample(stocked, lines)
        items = [LineInput(v, Decimal(rng.randint(1, 3))) for v in picks]
        if backorder and empty:
            items.append(LineInput(empty[0], Decimal(2)))
        return sales_order_create(
            customer=rng.choice(customers), lines=items, channel=rng.choice(["web", "phone"])
        )

    made = []
    made += [new() for _ in range(3)]  # drafts
    made += [sales_order_confirm(order=new(backorder=i == 0)) for i in range(3)]  # confirmed
    picking = [sales_order_confirm(order=new()) for _ in range(2)]
    pick_lists_create(orders=picking)
    made += picking
    made.append(sales_order_pack(order=sales_order_confirm(order=new())))
    partial = sales_order_confirm(order=new(lines=3))
    first = partial.lines.order_by("id").first()
    shipment_create(
        order=partial,
        items=[ShipItem(first.pk, first.quantity)],
        carrier="ups",
        tracking_number=f"1Z{rng.randrange(10**9)}",
    )
    made.append(partial)
    for _ in range(2):
        order = sales_order_confirm(order=new())
        shipment_create(
            order=order, carrier=rng.choice(CARRIERS), tracking_number=str(rng.randrange(10**10))
        )
        made.append(order)
    made.append(
        sales_order_hold(order=sales_order_confirm(order=new()), reason="Waiting for payment")
    )
    made.append(
        sales_order_cancel(order=sales_order_confirm(order=new()), reason="Customer cancelled")
    )
    returned = sales_order_confirm(order=new())
    if _ship(returned, rng):
        line = returned.lines.filter(shipped_quantity__gt=0).order_by("id").first()
        sales_return_create(
            order=returned,
            items=[ReturnItem(line.pk, Decimal(1), "restock", "Wrong size")],
            reason="Customer return",
        )
    made.append(returned)
    return len(made)


def _ship(order, rng) -> bool:
    """Ship what is reserved (demo stock can run short: then the order stays confirmed)."""
    from apps.sales.errors import SalesError
    from apps.sales.shipping import shipment_create

    try:
        shipment_create(
            order=order, carrier=rng.choice(CARRIERS), tracking_number=str(rng.randrange(10**10))
        )
    except SalesError:
        return False
    return True
