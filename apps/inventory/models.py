"""Warehouses, locations and the stock ledger. Per company schema.

``StockMove`` is append-only (a database trigger refuses UPDATE and DELETE);
``StockLevel`` is the balance per (variant, location), changed only by
``apps.inventory.services`` with conditional UPDATEs in the same transaction as
the moves. CHECK constraints keep ``reserved`` between 0 and ``on_hand`` and,
unless the company allows negative stock, ``on_hand >= 0``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from apps.catalog.models import Variant

QTY = {"max_digits": 14, "decimal_places": 3}
COST = {"max_digits": 14, "decimal_places": 4}
ZERO = Decimal("0")


class Warehouse(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    address = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Location(models.Model):
    class Kind(models.TextChoices):
        ZONE = "zone", "Zone"
        AISLE = "aisle", "Aisle"
        SHELF = "shelf", "Shelf"
        BIN = "bin", "Bin"
        RECEIVING = "receiving", "Receiving"
        TRANSIT = "transit", "In transit"

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="locations")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.BIN)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["warehouse__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "code"], name="location_unique_code_per_warehouse"
            ),
            # One receiving and one in-transit location per warehouse.
            models.UniqueConstraint(
                fields=["warehouse", "kind"],
                condition=Q(kind__in=["receiving", "transit"]),
                name="location_one_special_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse.code}/{self.code}"


class StockLevel(models.Model):
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="stock_levels")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stock_levels")
    on_hand = models.DecimalField(**QTY, default=ZERO)
    reserved = models.DecimalField(**QTY, default=ZERO)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "location"], name="stocklevel_unique_variant_location"
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0), name="stocklevel_reserved_not_negative"
            ),
            # With negative stock allowed, nothing may be reserved from a negative balance.
            models.CheckConstraint(
                condition=Q(reserved=0) | Q(reserved__lte=F("on_hand")),
                name="stocklevel_reserved_within_on_hand",
            ),
            # Dropped and re-added by inventory_settings_apply when a company toggles negative stock.
            models.CheckConstraint(
                condition=Q(on_hand__gte=0), name="stocklevel_on_hand_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant} @ {self.location}: {self.on_hand}"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class StockMove(models.Model):
    """One change of quantity at one location. Never edited: mistakes are reversed."""

    class Kind(models.TextChoices):
        OPENING = "opening", "Opening balance"
        RECEIPT = "receipt", "Receipt"
        SHIPMENT = "shipment", "Shipment"
        ADJUSTMENT = "adjustment", "Adjustment"
        TRANSFER_OUT = "transfer_out", "Transfer out"
        TRANSFER_IN = "transfer_in", "Transfer in"
        COUNT = "count", "Count correction"
        RETURN = "return", "Return"
        SYNC = "sync", "Integration sync"
        REVERSAL = "reversal", "Reversal"

    class Reason(models.TextChoices):
        DAMAGED = "damaged", "Damaged"
        LOST = "lost", "Lost"
        FOUND = "found", "Found"
        EXPIRED = "expired", "Expired"
        THEFT = "theft", "Theft"
        CORRECTION = "correction", "Correction"
        OTHER = "other", "Other"

    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="moves")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="moves")
    quantity = models.DecimalField(**QTY)
    unit_cost = models.DecimalField(**COST, default=ZERO)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    note = models.CharField(max_length=255, blank=True)
    # The document that caused the move ("transfer", 12), kept generic so every app can point here.
    reference_type = models.CharField(max_length=40, blank=True)
    reference_id = models.CharField(max_length=40, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the change happened: now, or the effective date an import or sync gives.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["variant", "-created_at", "-id"], name="move_variant_history"),
            models.Index(fields=["location", "-created_at", "-id"], name="move_location_history"),
            models.Index(fields=["reference_type", "reference_id"], name="move_reference"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stockmove_quantity_not_zero")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity:+} {self.variant} @ {self.location}"


class Reservation(models.Model):
    """Stock promised to a document line (a sales order line later), held on one level."""

    level = models.ForeignKey(StockLevel, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.DecimalField(**QTY)
    reference_type = models.CharField(max_length=40)
    reference_id = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="reservation_quantity_positive"
            ),
            models.UniqueConstraint(
                fields=["level", "reference_type", "reference_id"],
                name="reservation_unique_per_line_level",
            ),
        ]
        indexes = [
            models.Index(fields=["reference_type", "reference_id"], name="reservation_reference")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.level_id} for {self.reference_type}:{self.reference_id}"


class VariantCost(models.Model):
    """Moving-average cost of a variant across all locations, kept with every inbound move."""

    variant = models.OneToOneField(
        Variant, on_delete=models.CASCADE, primary_key=True, related_name="cost"
    )
    quantity = models.DecimalField(**QTY, default=ZERO)
    average_cost = models.DecimalField(**COST, default=ZERO)

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.quantity} @ {self.average_cost}"


class CostLayer(models.Model):
    """A FIFO layer: what one inbound move brought in and how much of it is left."""

    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="cost_layers")
    move = models.OneToOneField(StockMove, on_delete=models.PROTECT, related_name="cost_layer")
    unit_cost = models.DecimalField(**COST)
    quantity = models.DecimalField(**QTY)
    remaining = models.DecimalField(**QTY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["variant", "created_at", "id"],
                condition=Q(remaining__gt=0),
                name="costlayer_open",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=F("quantity")),
                name="costlayer_remaining_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.remaining}/{self.quantity} @ {self.unit_cost}"


class Transfer(models.Model):
    """Stock sent from one warehouse to another: draft → shipped (in transit) → received → closed."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SHIPPED = "shipped", "In transit"
        RECEIVED = "received", "Received"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    source = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="transfers_out")
    destination = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="transfers_in"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    note = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=F("destination")), name="transfer_between_two_warehouses"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        # Derived from the primary key (a database sequence): never "max + 1", so no races.
        return f"TR-{self.pk:05d}" if self.pk else "TR-new"


class TransferLine(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    source_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)
    received_quantity = models.DecimalField(**QTY, null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="transferline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(received_quantity__isnull=True)
                | (Q(received_quantity__gte=0) & Q(received_quantity__lte=F("quantity"))),
                name="transferline_received_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant_id}"

    @property
    def difference(self) -> Decimal | None:
        return None if self.received_quantity is None else self.quantity - self.received_quantity


class StockCount(models.Model):
    """A cycle count (stock take) of a warehouse, a zone of it, or a filtered part of it.

    Opening it snapshots the system quantity of every (variant, location) in scope;
    posting books ``counted − snapshot`` per line on top of the current balance, so
    moves made while the count was open are neither lost nor counted twice.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        POSTED = "posted", "Posted"
        CANCELLED = "cancelled", "Cancelled"

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="counts")
    zone = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    only_in_stock = models.BooleanField(default=False)
    blind = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    note = models.CharField(max_length=255, blank=True)
    # The last ledger row when the snapshot was taken: a line added later (an item found
    # where the snapshot had none) gets its snapshot as the balance minus later moves.
    snapshot_move_id = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"SC-{self.pk:05d}" if self.pk else "SC-new"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    snapshot_quantity = models.DecimalField(**QTY)
    counted_quantity = models.DecimalField(**QTY, null=True, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counted_at = models.DateTimeField(null=True, blank=True)
    # Filled when the count is posted: what was booked and at what unit cost.
    posted_quantity = models.DecimalField(**QTY, null=True, blank=True)
    unit_cost = models.DecimalField(**COST, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["count", "variant", "location"], name="countline_unique_variant_location"
            ),
            models.CheckConstraint(
                condition=Q(counted_quantity__isnull=True) | Q(counted_quantity__gte=0),
                name="countline_counted_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.location_id}: {self.counted_quantity}/{self.snapshot_quantity}"

    @property
    def variance(self) -> Decimal | None:
        if self.counted_quantity is None:
            return None
        return self.counted_quantity - self.snapshot_quantity


class ReorderRule(models.Model):
    """A warehouse's own reorder point, reorder quantity and safety stock for a variant,
    overriding the variant's values there. That warehouse is then judged on its own
    stock; the variant's values apply to the pooled stock of the other warehouses.
    A reorder point of 0 switches low-stock alerts off for the variant in that warehouse."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="reorder_rules")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="reorder_rules")
    reorder_point = models.DecimalField(**QTY, default=ZERO)
    reorder_quantity = models.DecimalField(**QTY, default=ZERO)
    safety_stock = models.DecimalField(**QTY, default=ZERO)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "warehouse"], name="reorderrule_unique_variant_warehouse"
            ),
            models.CheckConstraint(
                condition=Q(reorder_point__gte=0)
                & Q(reorder_quantity__gte=0)
                & Q(safety_stock__gte=0),
                name="reorderrule_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "variant"], name="reorderrule_warehouse")]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.warehouse_id}: {self.reorder_point}"


# --- lots, serial numbers and expiry (products with tracks_lots / tracks_serials) ---------


class Lot(models.Model):
    """A batch of one variant, received under one lot number, perhaps with an expiry date."""

    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="lots")
    number = models.CharField(max_length=64)
    expiry_date = models.DateField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expiry_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "number"], name="lot_unique_number")
        ]

    def __str__(self) -> str:
        return self.number


class LotLevel(models.Model):
    """The balance of one lot at one location, kept by the ledger service in the same
    transaction as the moves (like ``StockLevel``). A lot never goes below zero."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="levels")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="lot_levels")
    on_hand = models.DecimalField(**QTY, default=ZERO)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "location"], name="lotlevel_unique_lot_location"
            ),
            models.CheckConstraint(
                condition=Q(on_hand__gte=0), name="lotlevel_on_hand_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["location", "lot"], name="lotlevel_location")]

    def __str__(self) -> str:
        return f"{self.lot_id}@{self.location_id}: {self.on_hand}"


class StockMoveLot(models.Model):
    """Which lots a move took from or added to (append-only, like the moves themselves).
    A move of a lot-tracked variant may span several lots (FEFO picking), or none for
    quantity received without a lot number."""

    move = models.ForeignKey(StockMove, on_delete=models.PROTECT, related_name="lot_parts")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="move_parts")
    quantity = models.DecimalField(**QTY)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stockmovelot_quantity_not_zero")
        ]
        indexes = [models.Index(fields=["lot", "move"], name="stockmovelot_lot")]

    def __str__(self) -> str:
        return f"{self.quantity:+} of lot {self.lot_id} in move {self.move_id}"


class SerialNumber(models.Model):
    """One unit of a serial-tracked variant: where it is, or that it has left."""

    class Status(models.TextChoices):
        IN_STOCK = "in_stock", "In stock"
        OUT = "out", "Out of stock"

    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="serials")
    serial = models.CharField(max_length=100)
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_STOCK)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="serials"
    )
    last_move = models.ForeignKey(
        StockMove, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["serial"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "serial"], name="serial_unique_per_variant"),
            # In stock exactly when it has a location.
            models.CheckConstraint(
                condition=(Q(status="in_stock") & Q(location__isnull=False))
                | (Q(status="out") & Q(location__isnull=True)),
                name="serial_location_matches_status",
            ),
        ]
        indexes = [models.Index(fields=["variant", "location"], name="serial_variant_location")]

    def __str__(self) -> str:
        return self.serial
