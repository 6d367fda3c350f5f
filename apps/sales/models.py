"""Sales: customers (with their contacts, addresses and communication log) and,
built on them, sales orders. Per company schema.

Money is ``Decimal`` with two places in the customer's currency.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower, Upper
from django.utils import timezone

ZERO = Decimal("0")
MONEY = {"max_digits": 14, "decimal_places": 2}


class PriceTier(models.Model):
    """A named price level: customers on it pay the variant's selling price less
    ``discount_percent`` (managers can still override a line's price)."""

    name = models.CharField(max_length=60, unique=True)
    discount_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_price_tier"
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="price_tier_discount_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        PERSON = "person", "Person"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    tax_id = models.CharField("tax ID", max_length=40, blank=True)
    price_tier = models.ForeignKey(
        PriceTier, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    currency = models.CharField(max_length=3, default="USD")
    payment_terms_days = models.PositiveSmallIntegerField(default=30)
    preferred_warehouse = models.ForeignKey(
        "inventory.Warehouse", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    marketing_consent = models.BooleanField(default=False)
    marketing_consent_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    # Set when a privacy erasure anonymised this customer (orders are kept for accounting).
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(Lower("email"), name="customer_email_lower"),
            models.Index(fields=["phone"], name="customer_phone"),
        ]

    def __str__(self) -> str:
        return self.name


class CustomerContact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=80, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "name", "id"]

    def __str__(self) -> str:
        return self.name


class CustomerAddress(models.Model):
    class Kind(models.TextChoices):
        BILLING = "billing", "Billing"
        SHIPPING = "shipping", "Shipping"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=120, blank=True, help_text="Addressee, if not the customer.")
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. US.")
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "-is_default", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind"],
                condition=Q(is_default=True),
                name="one_default_address_per_kind",
            )
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line1, self.city, self.country) if p)

    def lines(self) -> list[str]:
        """The address as printed on documents."""
        city = " ".join(p for p in (self.postal_code, self.city) if p)
        return [
            p for p in (self.name, self.line1, self.line2, city, self.region, self.country) if p
        ]


class CustomerNote(models.Model):
    """The communication log: notes typed by staff and emails sent from the app."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        EMAIL = "email", "Email sent"
        CALL = "call", "Call"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="log")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NOTE)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind}"


# --- sales orders ---------------------------------------------------------------------------

QTY = {"max_digits": 14, "decimal_places": 3}
RATE = {"max_digits": 6, "decimal_places": 3}


class SalesSettings(models.Model):
    """One row per company (pk=1): how sales behaves. See ``apps.sales.config.sales_settings``."""

    class Allocation(models.TextChoices):
        PREFERRED_THEN_MOST = "preferred_then_most", "Preferred warehouse, then the most stock"
        MOST_STOCK = "most_stock", "The warehouse with the most stock"
        PREFERRED_ONLY = "preferred_only", "Only the preferred warehouse"

    class Rounding(models.TextChoices):
        HALF_UP = "half_up", "Half up (2.345 → 2.35)"
        HALF_EVEN = "half_even", "Half to even (2.345 → 2.34)"

    order_prefix = models.CharField(max_length=10, default="SO-")
    invoice_prefix = models.CharField(max_length=10, default="INV-")
    credit_note_prefix = models.CharField(max_length=10, default="CN-")
    return_prefix = models.CharField(max_length=10, default="RMA-")
    shipment_prefix = models.CharField(max_length=10, default="SH-")
    allocation_rule = models.CharField(
        max_length=30, choices=Allocation.choices, default=Allocation.PREFERRED_THEN_MOST
    )
    default_warehouse = models.ForeignKey(
        "inventory.Warehouse",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Preferred warehouse for customers that have none of their own.",
    )
    default_tax_rate = models.DecimalField(**RATE, default=ZERO)
    tax_rounding = models.CharField(
        max_length=10, choices=Rounding.choices, default=Rounding.HALF_UP
    )
    default_handling_days = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(365)],
        help_text="A new order is promised to ship this many days after its order date.",
    )

    class Meta:
        verbose_name_plural = "sales settings"

    def __str__(self) -> str:
        return "Sales settings"


class ExchangeRate(models.Model):
    """Today's rate of one foreign currency: how many units of the company's currency one
    unit of ``currency`` is worth. A sales order copies it when it is created
    (``SalesOrder.exchange_rate``), so changing a rate never changes past orders."""

    currency = models.CharField(max_length=3, unique=True)
    rate = models.DecimalField(max_digits=14, decimal_places=6)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchangerate_rate_positive")
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate}"


class SalesOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        CONFIRMED = "confirmed", "Confirmed"
        PICKING = "picking", "Picking"
        PACKED = "packed", "Packed"
        PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        ON_HOLD = "on_hold", "On hold"
        CANCELLED = "cancelled", "Cancelled"

    class Channel(models.TextChoices):
        MANUAL = "manual", "Manual"
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        WEB = "web", "Web shop"
        MARKETPLACE = "marketplace", "Marketplace"
        API = "api", "API"

    COLOURS = {
        Status.DRAFT: "text-bg-light border",
        Status.CONFIRMED: "text-bg-info",
        Status.PICKING: "text-bg-primary",
        Status.PACKED: "text-bg-primary",
        Status.PARTIALLY_SHIPPED: "text-bg-warning",
        Status.SHIPPED: "text-bg-success",
        Status.DELIVERED: "text-bg-success",
        Status.ON_HOLD: "text-bg-warning",
        Status.CANCELLED: "text-bg-secondary",
    }
    # Orders whose lines hold (or wait for) stock.
    OPEN = (
        Status.CONFIRMED,
        Status.PICKING,
        Status.PACKED,
        Status.PARTIALLY_SHIPPED,
        Status.ON_HOLD,
    )
    # Orders whose backorders fill automatically when stock arrives (not held ones).
    FILLABLE = (Status.CONFIRMED, Status.PICKING, Status.PACKED, Status.PARTIALLY_SHIPPED)

    number = models.CharField(max_length=30, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # The status an order on hold returns to when released.
    held_from = models.CharField(max_length=20, choices=Status.choices, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.MANUAL)
    # Empty: each line is reserved by the company's allocation rule.
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales_orders",
    )
    currency = models.CharField(max_length=3, default="USD")
    exchange_rate = models.DecimalField(
        max_digits=14,
        decimal_places=6,
        default=Decimal("1"),
        help_text="Company currency per one unit of the order's currency, at order time.",
    )
    order_date = models.DateField(default=timezone.localdate, db_index=True)
    # When the order is promised to ship (on or before). The services always set it (order
    # date + the company's handling days unless chosen); rows written in bulk without it
    # (demo history) are read as order date + handling days (``promised_on``).
    promised_date = models.DateField(null=True, blank=True)
    customer_reference = models.CharField(max_length=60, blank=True)
    shipping_address = models.TextField(blank=True)
    billing_address = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    subtotal = models.DecimalField(**MONEY, default=ZERO)
    discount_total = models.DecimalField(**MONEY, default=ZERO)
    tax_total = models.DecimalField(**MONEY, default=ZERO)
    total = models.DecimalField(**MONEY, default=ZERO)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "status"], name="so_customer_status"),
            models.Index(fields=["-order_date", "-id"], name="so_order_date"),
            models.Index(fields=["status", "confirmed_at", "id"], name="so_fill_order"),
            # The order list's search (apps.sales.selectors): whole numbers, any case.
            models.Index(Upper("number"), name="so_number_upper"),
            models.Index(fields=["customer_reference"], name="so_customer_reference"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(exchange_rate__gt=0), name="salesorder_rate_positive"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def badge(self) -> str:
        return self.COLOURS.get(self.status, "text-bg-light")

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def promised_on(self, handling_days: int = 2):
        """The promised ship date; for rows without one, order date + ``handling_days``."""
        from datetime import timedelta

        return self.promised_date or self.order_date + timedelta(days=handling_days)


class SalesOrderLine(models.Model):
    """One variant on an order. Money is computed by ``apps.sales.pricing`` and stored, rounded
    per line; ``allocated_quantity`` mirrors the line's reservations in the ledger."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200, blank=True)
    quantity = models.DecimalField(**QTY)
    unit_price = models.DecimalField(**MONEY)
    list_price = models.DecimalField(**MONEY, default=ZERO)  # the tier price, before an override
    price_overridden = models.BooleanField(default=False)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=ZERO)
    tax_rate = models.DecimalField(**RATE, default=ZERO)
    line_subtotal = models.DecimalField(**MONEY, default=ZERO)
    discount_amount = models.DecimalField(**MONEY, default=ZERO)
    tax_amount = models.DecimalField(**MONEY, default=ZERO)
    line_total = models.DecimalField(**MONEY, default=ZERO)
    allocated_quantity = models.DecimalField(**QTY, default=ZERO)
    shipped_quantity = models.DecimalField(**QTY, default=ZERO)
    invoiced_quantity = models.DecimalField(**QTY, default=ZERO)
    returned_quantity = models.DecimalField(**QTY, default=ZERO)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="soline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="soline_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="soline_discount_0_100",
            ),
            models.CheckConstraint(
                condition=Q(allocated_quantity__gte=0)
                & Q(shipped_quantity__gte=0)
                & Q(allocated_quantity__lte=F("quantity") - F("shipped_quantity")),
                name="soline_allocation_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(shipped_quantity__lte=F("quantity")), name="soline_ship_within_quantity"
            ),
            models.CheckConstraint(
                condition=Q(returned_quantity__lte=F("shipped_quantity")),
                name="soline_return_within_shipped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.quantity} × {self.variant_id}"

    @property
    def reference(self) -> tuple[str, int]:
        """How this line's reservations and stock moves name it in the ledger."""
        return ("sales_order_line", self.pk)

    @property
    def open_quantity(self) -> Decimal:
        return self.quantity - self.shipped_quantity

    @property
    def backordered_quantity(self) -> Decimal:
        return self.quantity - self.shipped_quantity - self.allocated_quantity


class SalesOrderEvent(models.Model):
    """The order's timeline: every status change and stock effect, who and when."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        CONFIRMED = "confirmed", "Confirmed"
        RESERVED = "reserved", "Stock reserved"
        BACKORDERED = "backordered", "Backordered"
        PICKING = "picking", "Picking started"
        PICKED = "picked", "Picked"
        PACKED = "packed", "Packed"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        HELD = "held", "Put on hold"
        RELEASED = "released", "Released from hold"
        CANCELLED = "cancelled", "Cancelled"
        INVOICED = "invoiced", "Invoiced"
        PAYMENT = "payment", "Payment recorded"
        RETURNED = "returned", "Return received"

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, blank=True)  # the order's status after the event
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


# --- picking -----------------------------------------------------------------------------------


class PickList(models.Model):
    """What to take from which bin for one or many orders of one warehouse, in walking order."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Picked"
        CANCELLED = "cancelled", "Cancelled"

    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    orders = models.ManyToManyField(SalesOrder, related_name="pick_lists")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Pick list {self.pk}"


class PickListLine(models.Model):
    pick_list = models.ForeignKey(PickList, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)
    picked_quantity = models.DecimalField(**QTY, default=ZERO)
    sequence = models.PositiveIntegerField(default=0)  # walking order
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    picked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sequence", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(picked_quantity__gte=0) & Q(picked_quantity__lte=F("quantity")),
                name="pickline_picked_within_quantity",
            )
        ]

    def __str__(self) -> str:
        return f"pick {self.quantity} of {self.variant_id} at {self.location_id}"

    @property
    def is_picked(self) -> bool:
        return self.picked_quantity >= self.quantity


# --- shipments ---------------------------------------------------------------------------------


class Shipment(models.Model):
    class Status(models.TextChoices):
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"

    number = models.CharField(max_length=30, unique=True)
    order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="shipments")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SHIPPED)
    carrier = models.CharField(max_length=40, blank=True)
    service = models.CharField(max_length=60, blank=True)
    tracking_number = models.CharField(max_length=80, blank=True, db_index=True)
    weight_kg = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    packages = models.PositiveSmallIntegerField(default=1)
    shipped_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["shipped_at", "id"]

    def __str__(self) -> str:
        return self.number

    @property
    def tracking_url(self) -> str:
        from apps.sales.carriers import tracking_url

        return tracking_url(self.carrier, self.tracking_number)


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        SalesOrderLine, on_delete=models.PROTECT, related_name="shipment_lines"
    )
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)
    move = models.ForeignKey(
        "inventory.StockMove", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipline_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.order_line_id}"


# --- invoices and payments ----------------------------------------------------------------------


class Invoice(models.Model):
    class PaymentStatus(models.TextChoices):
        UNPAID = "unpaid", "Unpaid"
        PARTIAL = "partial", "Partly paid"
        PAID = "paid", "Paid"
        REFUNDED = "refunded", "Refunded"

    COLOURS = {
        PaymentStatus.UNPAID: "text-bg-warning",
        PaymentStatus.PARTIAL: "text-bg-info",
        PaymentStatus.PAID: "text-bg-success",
        PaymentStatus.REFUNDED: "text-bg-secondary",
    }

    number = models.CharField(max_length=30, unique=True)
    order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="invoices")
    shipment = models.ForeignKey(
        Shipment, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    currency = models.CharField(max_length=3)
    issue_date = models.DateField(default=timezone.localdate)
    due_date = models.DateField()
    subtotal = models.DecimalField(**MONEY, default=ZERO)
    discount_total = models.DecimalField(**MONEY, default=ZERO)
    tax_total = models.DecimalField(**MONEY, default=ZERO)
    total = models.DecimalField(**MONEY, default=ZERO)
    amount_paid = models.DecimalField(**MONEY, default=ZERO)  # payments less refunds
    amount_refunded = models.DecimalField(**MONEY, default=ZERO)
    payment_status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issue_date", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def badge(self) -> str:
        return self.COLOURS.get(self.payment_status, "text-bg-light")

    @property
    def balance(self) -> Decimal:
        return self.total - self.amount_paid


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(**QTY)
    unit_price = models.DecimalField(**MONEY)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=ZERO)
    tax_rate = models.DecimalField(**RATE, default=ZERO)
    line_subtotal = models.DecimalField(**MONEY, default=ZERO)
    discount_amount = models.DecimalField(**MONEY, default=ZERO)
    tax_amount = models.DecimalField(**MONEY, default=ZERO)
    line_total = models.DecimalField(**MONEY, default=ZERO)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    class Kind(models.TextChoices):
        PAYMENT = "payment", "Payment"
        REFUND = "refund", "Refund"

    class Method(models.TextChoices):
        BANK = "bank", "Bank transfer"
        CARD = "card", "Card"
        CASH = "cash", "Cash"
        CHECK = "check", "Check"
        OTHER = "other", "Other"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PAYMENT)
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.BANK)
    reference = models.CharField(max_length=80, blank=True)
    received_on = models.DateField(default=timezone.localdate)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


# --- returns (RMA) -----------------------------------------------------------------------------


class SalesReturn(models.Model):
    number = models.CharField(max_length=30, unique=True)
    order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="returns")
    reason = models.CharField(max_length=200, blank=True)
    refund_amount = models.DecimalField(**MONEY, default=ZERO)
    credit_note_number = models.CharField(max_length=30, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(refund_amount__gte=0), name="salesreturn_refund_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.number


class SalesReturnLine(models.Model):
    class Disposition(models.TextChoices):
        RESTOCK = "restock", "Restock"
        SCRAP = "scrap", "Scrap"
        REPAIR = "repair", "Repair"

    sales_return = models.ForeignKey(SalesReturn, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)
    reason = models.CharField(max_length=200, blank=True)
    disposition = models.CharField(max_length=10, choices=Disposition.choices)
    location = models.ForeignKey(
        "inventory.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    move = models.ForeignKey(
        "inventory.StockMove", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="salesreturnline_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.order_line_id} ({self.disposition})"
