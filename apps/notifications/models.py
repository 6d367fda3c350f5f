from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """One message to one person. The in-app bell lists these; email is a delivery of it."""

    class Email(models.TextChoices):
        NONE = "none", "Not emailed"
        PENDING = "pending", "Waiting to be emailed"
        DIGEST = "digest", "Goes in the daily digest"
        SENT = "sent", "Emailed"
        FAILED = "failed", "Email failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    dedupe_key = models.CharField(
        max_length=200, blank=True, help_text="Same key and person: sent once, not again."
    )
    in_app = models.BooleanField(default=True)
    email = models.CharField(max_length=10, choices=Email.choices, default=Email.NONE)
    email_due_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_unread",
                condition=Q(read_at__isnull=True, in_app=True),
            ),
            models.Index(
                fields=["email_due_at"], name="notification_email_due", condition=Q(email="pending")
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_once_per_condition",
            )
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """A person's choice for one kind; no row means the defaults (in-app and email on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"


class NotificationSettings(models.Model):
    """Per person: quiet hours (in the company's time zone) and digest instead of instant."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    daily_digest = models.BooleanField(
        default=False, help_text="One email a day with everything, instead of one per event."
    )
    quiet_from = models.TimeField(null=True, blank=True)
    quiet_until = models.TimeField(null=True, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Notification settings of {self.user_id}"

    def in_quiet_hours(self, local_time: dt.time) -> bool:
        if (
            self.quiet_from is None
            or self.quiet_until is None
            or self.quiet_from == self.quiet_until
        ):
            return False
        if self.quiet_from < self.quiet_until:
            return self.quiet_from <= local_time < self.quiet_until
        return local_time >= self.quiet_from or local_time < self.quiet_until  # over midnight


from apps.notifications.schedule_models import ReportSchedule, RuleCondition, RuleSettings  # noqa: E402, F401
