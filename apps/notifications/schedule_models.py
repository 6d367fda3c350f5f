"""Scheduled reports and notification rules (tables of apps.notifications, imported by models.py)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models


class ReportSchedule(models.Model):
    """Email a report with its parameters to a list of people, daily, weekly or monthly at a
    time of day in the company's time zone."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Every day"
        WEEKLY = "weekly", "Every week"
        MONTHLY = "monthly", "Every month"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel (XLSX)"

    name = models.CharField(max_length=120)
    report_slug = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    params_text = models.CharField(max_length=500, blank=True)
    fmt = models.CharField(max_length=5, choices=Format.choices, default=Format.PDF)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0 = Monday")
    day_of_month = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="31 means the last day of every month."
    )
    at_time = models.TimeField(help_text="In the company's time zone.")
    recipients = models.TextField(help_text="Email addresses, one per line or comma-separated.")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(
                fields=["next_run_at"],
                name="report_schedule_due",
                condition=models.Q(is_active=True),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def report_title(self) -> str:
        from apps.reports.registry import report_get

        report = report_get(self.report_slug)
        return report.title if report else self.report_slug

    @property
    def weekday_name(self) -> str:
        import calendar

        return calendar.day_name[self.weekday] if self.weekday is not None else ""

    def recipient_list(self) -> list[str]:
        return [
            part.strip()
            for part in self.recipients.replace(";", ",").replace("\n", ",").split(",")
            if part.strip()
        ]


class RuleSettings(models.Model):
    """One row per company: which notification rules are on, their thresholds, channels."""

    low_stock = models.BooleanField(default=True)
    po_approval = models.BooleanField(default=True)
    po_approval_hours = models.PositiveIntegerField(
        default=24, help_text="Remind approvers when an order has waited this many hours."
    )
    large_adjustment = models.BooleanField(default=True)
    large_adjustment_value = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("1000"),
        help_text="An adjustment or count correction worth at least this much (either way).",
    )
    sync_failed = models.BooleanField(default=True)
    order_overdue = models.BooleanField(default=True)
    order_overdue_days = models.PositiveIntegerField(
        default=2, help_text="An order still unshipped this many days after it was confirmed."
    )
    stockout = models.BooleanField(default=True)
    stockout_days = models.PositiveIntegerField(
        default=14, help_text="Warn when the latest forecast sees an item running out this soon."
    )
    email = models.BooleanField(
        default=True, help_text="Also email (each person's preferences still apply)."
    )
    # The last stock move already looked at by the large-adjustment rule.
    adjustments_seen_up_to = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Notification rules"


class RuleCondition(models.Model):
    """A condition a rule has notified about and that still holds (an item is low). When it
    clears the row goes; if it comes back, a new row means a new notification."""

    rule = models.CharField(max_length=40)
    key = models.CharField(max_length=150)
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "key"], name="rule_condition_once")]

    def __str__(self) -> str:
        return f"{self.rule}: {self.key}"
