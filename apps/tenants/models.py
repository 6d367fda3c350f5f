"""Companies (tenants), their domains and plans. All of these live in the public schema."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #RRGGBB, for example #0d6efd.")


class Plan(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    max_users = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty means unlimited."
    )
    max_skus = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty means unlimited."
    )
    monthly_price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    api_requests_per_minute = models.PositiveIntegerField(
        default=600, help_text="API requests per minute per key or user."
    )
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["monthly_price", "name"]

    def __str__(self) -> str:
        return self.name


class Tenant(TenantMixin):
    class Status(models.TextChoices):
        PROVISIONING = "provisioning", "Provisioning"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        CLOSING = "closing", "Closing"

    class ValuationMethod(models.TextChoices):
        MOVING_AVERAGE = "moving_average", "Moving average"
        FIFO = "fifo", "FIFO"

    name = models.CharField(max_length=120)
    # The subdomain; the schema name is derived from it (hyphens become underscores).
    slug = models.SlugField(max_length=50, unique=True)
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="tenants"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    # The hidden template schema that new tenants are cloned from.
    is_template = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    suspended_reason = models.CharField(max_length=255, blank=True)
    deletion_scheduled_for = models.DateTimeField(null=True, blank=True)

    # Figures for the console, refreshed by a scheduled job per tenant so the list
    # never queries every schema (see apps/tenants/tasks.py).
    user_count = models.PositiveIntegerField(default=0)
    sku_count = models.PositiveIntegerField(default=0)
    stats_updated_at = models.DateTimeField(null=True, blank=True)

    # company settings
    legal_name = models.CharField(max_length=200, blank=True)
    address = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    currency = models.CharField(max_length=3, default="USD")
    logo = models.ImageField(upload_to="branding/", null=True, blank=True)
    accent_colour = models.CharField(max_length=7, default="#0d6efd", validators=[hex_colour])
    allow_negative_stock = models.BooleanField(default=False)
    valuation_method = models.CharField(
        max_length=20, choices=ValuationMethod.choices, default=ValuationMethod.MOVING_AVERAGE
    )
    require_mfa = models.BooleanField(
        default=False, help_text="Every user of this company must set up two-factor authentication."
    )

    # Schemas are created by apps.tenants.services.provisioning, never as a side effect of save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.schema_name == "public"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def site_url(self, path: str = "/") -> str:
        port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
        return f"{settings.SITE_SCHEME}://{self.slug}.{settings.BASE_DOMAIN}{port}{path}"


class Domain(DomainMixin):
    def __str__(self) -> str:
        return self.domain


class HandoffNonce(models.Model):
    """A used sign-in handoff token: each can log someone in only once."""

    nonce = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.nonce


class ConsoleAction(models.Model):
    """What platform staff did to a company, and when."""

    tenant = models.ForeignKey(
        Tenant, null=True, on_delete=models.SET_NULL, related_name="console_actions"
    )
    tenant_name = models.CharField(max_length=120)
    actor_email = models.EmailField(blank=True)
    action = models.CharField(max_length=40)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} {self.tenant_name}"
