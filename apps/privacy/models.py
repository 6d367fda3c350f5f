"""Privacy records of one company (tenant schema): requests about personal data, and full
data exports of the company."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class PrivacyRequest(models.Model):
    """A record of a privacy request that was carried out: who asked, when, about what,
    and what was done. Kept after an erasure (it names the customer by id only)."""

    class Kind(models.TextChoices):
        CUSTOMER_EXPORT = "customer_export", "Customer data export"
        CUSTOMER_ERASURE = "customer_erasure", "Customer erasure"
        COMPANY_EXPORT = "company_export", "Company data export"
        COMPANY_CLOSING = "company_closing", "Company closing"
        CLOSING_CANCELLED = "closing_cancelled", "Company closing cancelled"

    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    customer = models.ForeignKey(
        "sales.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="privacy_requests",
    )
    subject = models.CharField(max_length=200, help_text="What the request was about, in words.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_email = models.EmailField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class CompanyExport(models.Model):
    """A ZIP of every table of the company, built by a background job."""

    class State(models.TextChoices):
        RUNNING = "running", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    job_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=200, blank=True)
    size = models.BigIntegerField(default=0)
    tables = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Export {self.created_at:%Y-%m-%d %H:%M}"
