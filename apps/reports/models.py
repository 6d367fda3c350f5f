"""What reports keep: monthly purchasing budgets and files of reports run in the background."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class PurchasingBudget(models.Model):
    """How much the company means to spend on purchases in one month (company currency)."""

    month = models.DateField(unique=True, help_text="The first day of the month.")
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.amount}"


class ReportFile(models.Model):
    """A large report rendered by a job; downloadable for ``KEEP_DAYS`` days.

    The row lives in the company's schema, so another company's user cannot even find it;
    the file sits under the schema's own folder (apps/reports/storage.py).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report_slug = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    params_text = models.CharField(max_length=500, blank=True)
    sort = models.CharField(max_length=60, blank=True)
    fmt = models.CharField(max_length=5)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    estimated_rows = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    job_id = models.UUIDField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["expires_at"], name="report_file_expiry")]

    def __str__(self) -> str:
        return f"{self.title} ({self.fmt}, {self.status})"
