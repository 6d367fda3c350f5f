"""The catalog: categories, products, their variants (the SKUs) and suppliers. Per company schema."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

ZERO = Decimal("0")


class Category(models.Model):
    """A node of the category tree. ``path`` is the materialized path of ids
    ("/3/17/42/"), so a subtree is one indexed prefix query and moving a node is
    one UPDATE of its subtree's paths."""

    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=500, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="category_unique_name_per_parent"
            ),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="category_unique_root_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Supplier(models.Model):
    name = models.CharField(max_length=200, unique=True)
    contact_name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    currency = models.CharField(max_length=3, default="USD")
    payment_terms_days = models.PositiveSmallIntegerField(default=30)
    default_lead_time_days = models.PositiveSmallIntegerField(default=14)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    class Unit(models.TextChoices):
        EACH = "each", "Each"
        KG = "kg", "Kilogram"
        METRE = "m", "Metre"
        LITRE = "l", "Litre"
        BOX = "box", "Box"

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    brand = models.CharField(max_length=120, blank=True)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.EACH)
    tags = models.JSONField(default=list, blank=True)
    option_axes = models.JSONField(
        default=list,
        blank=True,
        help_text='The options variants differ by, e.g. [{"name": "size", "values": ["S", "M"]}].',
    )
    tax_class = models.CharField(max_length=40, blank=True, default="standard")
    is_active = models.BooleanField(default=True)
    tracks_lots = models.BooleanField(
        default=False, help_text="Receive with lot numbers and expiry dates."
    )
    tracks_serials = models.BooleanField(
        default=False, help_text="Receive and ship one serial number per unit."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        # Search indexes: this one serves word similarity (``%>``, typo-tolerant); Django's
        # icontains is UPPER(col) LIKE UPPER('%…%'), served by trigram indexes on UPPER(name),
        # UPPER(brand), UPPER(sku), UPPER(barcode) and UPPER(supplier_sku) created in migration
        # 0004 (Django 5.2 writes invalid SQL for an OpClass over an expression).
        indexes = [
            GinIndex(fields=["name"], name="product_name_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["tags"], name="product_tags_gin"),
        ]

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    """The stock-keeping unit: what the ledger counts."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    barcode = models.CharField(max_length=64, blank=True, db_index=True)
    options = models.JSONField(
        default=dict, blank=True, help_text='Option values, e.g. {"size": "M", "colour": "Red"}.'
    )
    cost_price = models.DecimalField(
        max_digits=14, decimal_places=4, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    sale_price = models.DecimalField(
        max_digits=14, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    weight_kg = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    length_cm = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    width_cm = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    height_cm = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    reorder_point = models.DecimalField(max_digits=14, decimal_places=3, default=ZERO)
    reorder_quantity = models.DecimalField(max_digits=14, decimal_places=3, default=ZERO)
    safety_stock = models.DecimalField(max_digits=14, decimal_places=3, default=ZERO)
    lead_time_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Overrides the supplier's lead time."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(
                fields=["barcode"], condition=~Q(barcode=""), name="variant_unique_barcode"
            ),
        ]

    def __str__(self) -> str:
        return self.sku


class SupplierItem(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="supplier_items")
    supplier_sku = models.CharField(max_length=64, blank=True)
    cost = models.DecimalField(max_digits=14, decimal_places=4, default=ZERO)
    minimum_order_quantity = models.DecimalField(
        max_digits=14, decimal_places=3, default=Decimal("1")
    )
    pack_size = models.DecimalField(max_digits=14, decimal_places=3, default=Decimal("1"))
    lead_time_days = models.PositiveSmallIntegerField(null=True, blank=True)
    is_preferred = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supplier", "variant"], name="supplier_item_unique"),
            models.UniqueConstraint(
                fields=["variant"],
                condition=Q(is_preferred=True),
                name="supplier_item_one_preferred",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} · {self.variant}"


class CatalogSettings(models.Model):
    """The company's catalog preferences: one row (pk=1) per schema."""

    sku_pattern = models.CharField(
        max_length=80,
        default="{CAT}-{NAME}-{OPT}-{SEQ}",
        help_text="Tokens: {CAT} category, {NAME} product name, {BRAND}, {OPT} option values, "
        "{SEQ} the next number.",
    )
    sku_sequence_width = models.PositiveSmallIntegerField(default=4)

    class Meta:
        verbose_name_plural = "catalog settings"

    def __str__(self) -> str:
        return "Catalog settings"


def _image_path(instance: ProductImage, filename: str) -> str:
    return f"products/{instance.product_id}/{filename}"


class ProductImage(models.Model):
    """A product photo, re-encoded on upload (metadata stripped) with a square thumbnail."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=_image_path)
    thumbnail = models.ImageField(upload_to=_image_path)
    alt_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product", "position", "pk"]

    def __str__(self) -> str:
        return self.alt_text or f"Image {self.pk} of {self.product_id}"
