"""Purchase orders, their lines, charges, timeline and receipts. Per company schema.

Every write goes through ``apps.purchasing.services`` (and stock through the
inventory ledger); these models only describe the rows. Amounts on an order are
in the order's currency; ``exchange_rate`` (captured when the order is created)
turns them into the company's currency for approval limits and valuation.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.catalog.models import Supplier, Variant
from apps.inventory.models import Location, Warehouse

QTY = {"max_digits": 14, "decimal_places": 3}
COST = {"max_digits": 14, "decimal_places": 4}
MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0")


class PurchasingSettings(models.Model):
    """One row per company (pk=1): how purchasing behaves. See ``purchasing_settings()``."""

    class Replenishment(models.TextChoices):
        OFF = "off", "Off"
        SUGGEST = "suggest", "Email the suggestions daily"
        DRAFTS = "drafts", "Create draft purchase orders daily"

    number_prefix = models.CharField(max_length=10, default="PO-")
    approval_threshold = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        default=Decimal("1000"),
        help_text="Orders whose total (in the company's currency) is above this need approval. "
        "Empty: no order needs approval.",
    )
    manager_approval_limit = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        help_text="Above this total only an owner may approve. Empty: managers approve any amount.",
    )
    over_receipt_tolerance_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        help_text="How much more than ordered may be received, in percent of the line.",
    )
    replenishment_mode = models.CharField(
        max_length=10, choices=Replenishment.choices, default=Replenishment.OFF
    )
    ordering_cost = models.DecimalField(
        **MONEY, default=Decimal("25"), help_text="What placing one order costs (for order sizes)."
    )
    holding_cost_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        help_text="Yearly cost of holding stock, in percent of its value.",
    )

    class Meta:
        verbose_name_plural = "purchasing settings"

    def __str__(self) -> str:
        return "Purchasing settings"


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        APPROVED = "approved", "Approved"
        SENT = "sent", "Sent"
        PARTIALLY_RECEIVED = "partially_received", "Partially received"
        RECEIVED = "received", "Received"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"
        REJECTED = "rejected", "Rejected"

    # Bootstrap badge class per status: value, label and colour travel together.
    COLOURS = {
        Status.DRAFT: "text-bg-light border",
        Status.AWAITING_APPROVAL: "text-bg-warning",
        Status.APPROVED: "text-bg-info",
        Status.SENT: "text-bg-primary",
        Status.PARTIALLY_RECEIVED: "text-bg-warning",
        Status.RECEIVED: "text-bg-success",
        Status.CLOSED: "text-bg-secondary",
        Status.CANCELLED: "text-bg-secondary",
        Status.REJECTED: "text-bg-danger",
    }
    OPEN = (
        Status.DRAFT,
        Status.AWAITING_APPROVAL,
        Status.APPROVED,
        Status.SENT,
        Status.PARTIALLY_RECEIVED,
    )

    number = models.CharField(max_length=30, unique=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="purchase_orders")
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="purchase_orders"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    currency = models.CharField(max_length=3)
    exchange_rate = models.DecimalField(
        max_digits=14,
        decimal_places=6,
        default=Decimal("1"),
        help_text="Company currency per one unit of the order's currency, at order time.",
    )
    order_date = models.DateField(default=timezone.localdate)
    expected_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    # Totals in the order's currency, kept by the services whenever lines or charges change.
    subtotal = models.DecimalField(**MONEY, default=ZERO)
    tax_total = models.DecimalField(**MONEY, default=ZERO)
    charges_total = models.DecimalField(**MONEY, default=ZERO)
    total = models.DecimalField(**MONEY, default=ZERO)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["supplier", "status"], name="po_supplier_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(exchange_rate__gt=0), name="purchaseorder_rate_positive"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def badge(self) -> str:
        return self.COLOURS.get(self.status, "text-bg-light")

    @property
    def total_base(self) -> Decimal:
        """The total in the company's currency (what approval limits are written in)."""
        return (self.total * self.exchange_rate).quantize(Decimal("0.01"))

    @property
    def is_editable(self) -> bool:
        return self.status in (
            self.Status.DRAFT,
            self.Status.AWAITING_APPROVAL,
            self.Status.APPROVED,
        )


class PurchaseOrderLine(models.Model):
    """What is ordered of one variant. ``quantity`` is in the variant's own unit (what the
    ledger counts) and a whole number of the supplier's packs of ``pack_size``."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    supplier_sku = models.CharField(max_length=64, blank=True)
    pack_size = models.DecimalField(**QTY, default=Decimal("1"))
    quantity = models.DecimalField(**QTY)
    unit_cost = models.DecimalField(**COST)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=3, default=ZERO)
    received_quantity = models.DecimalField(**QTY, default=ZERO)
    rejected_quantity = models.DecimalField(**QTY, default=ZERO)
    # Charges allocated to this line, per unit, in the company's currency (landed cost).
    allocated_charge_per_unit = models.DecimalField(**COST, default=ZERO)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="poline_quantity_positive"),
            models.CheckConstraint(condition=Q(pack_size__gt=0), name="poline_pack_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="poline_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(received_quantity__gte=0) & Q(rejected_quantity__gte=0),
                name="poline_received_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant_id}"

    @property
    def packs(self) -> Decimal:
        return self.quantity / self.pack_size

    @property
    def line_value(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"))

    @property
    def tax_amount(self) -> Decimal:
        return (self.line_value * self.tax_rate / 100).quantize(Decimal("0.01"))

    @property
    def outstanding(self) -> Decimal:
        return max(self.quantity - self.received_quantity, ZERO)

    @property
    def landed_unit_cost(self) -> Decimal:
        """Company-currency cost of one unit once charges are spread over the lines."""
        return (
            self.unit_cost * self.order.exchange_rate + self.allocated_charge_per_unit
        ).quantize(Decimal("0.0001"))


class PurchaseOrderCharge(models.Model):
    """Freight, duty, insurance or another cost of getting the goods in: part of the
    landed cost, spread over the lines by value, quantity or weight."""

    class Kind(models.TextChoices):
        FREIGHT = "freight", "Freight / shipping"
        DUTY = "duty", "Duty"
        INSURANCE = "insurance", "Insurance"
        OTHER = "other", "Other"

    class Allocation(models.TextChoices):
        VALUE = "value", "By value"
        QUANTITY = "quantity", "By quantity"
        WEIGHT = "weight", "By weight"

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="charges")
    # Set when the charge came with one delivery: spread over that receipt's lines only.
    receipt = models.ForeignKey(
        "Receipt", null=True, blank=True, on_delete=models.CASCADE, related_name="charges"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FREIGHT)
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(**MONEY)
    allocation = models.CharField(
        max_length=10, choices=Allocation.choices, default=Allocation.VALUE
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="pocharge_amount_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class PurchaseOrderEvent(models.Model):
    """The order's timeline: who did what, when, with any comment."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        SUBMITTED = "submitted", "Submitted for approval"
        APPROVED = "approved", "Approved"
        AUTO_APPROVED = "auto_approved", "Approved (no approval needed)"
        REJECTED = "rejected", "Rejected"
        RETURNED_TO_APPROVAL = "returned_to_approval", "Edited after approval"
        REOPENED = "reopened", "Reopened as draft"
        SENT = "sent", "Sent to supplier"
        RECEIVED = "received", "Goods received"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"
        CHARGES = "charges", "Landed cost allocated"
        RETURNED = "returned", "Goods returned to supplier"

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
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


class Receipt(models.Model):
    """One delivery against a purchase order, into one location of its warehouse."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"GR-{self.pk:06d}" if self.pk else "GR-new"


class ReceiptLine(models.Model):
    class RejectReason(models.TextChoices):
        DAMAGED = "damaged", "Damaged"
        WRONG_ITEM = "wrong_item", "Wrong item"
        QUALITY = "quality", "Failed quality check"
        EXPIRED = "expired", "Expired or short-dated"
        OTHER = "other", "Other"

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines"
    )
    quantity = models.DecimalField(**QTY, default=ZERO)  # accepted into stock
    rejected_quantity = models.DecimalField(**QTY, default=ZERO)
    reject_reason = models.CharField(max_length=20, choices=RejectReason.choices, blank=True)
    unit_cost = models.DecimalField(**COST, default=ZERO)  # landed, company currency

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0) & Q(rejected_quantity__gte=0),
                name="receiptline_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) | Q(rejected_quantity__gt=0),
                name="receiptline_something",
            ),
            models.CheckConstraint(
                condition=Q(rejected_quantity=0) | ~Q(reject_reason=""),
                name="receiptline_reject_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.order_line_id}"


class SupplierReturn(models.Model):
    """Goods sent back to the supplier; the debit note is its document."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="returns")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    total = models.DecimalField(**MONEY, default=ZERO)  # in the order's currency

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"DN-{self.pk:06d}" if self.pk else "DN-new"


class SupplierReturnLine(models.Model):
    supplier_return = models.ForeignKey(
        SupplierReturn, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)
    from_stock = models.BooleanField(
        default=True,
        help_text="Taken out of stock (False: goods rejected at receipt, never stocked).",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="returnline_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.order_line_id}"
