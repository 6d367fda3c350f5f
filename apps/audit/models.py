"""The audit log of a company: one row per change of a business record or security event.

Rows about records are written by PostgreSQL triggers (apps/audit/triggers.py), so
``update()``, ``bulk_update()`` and raw SQL cannot skip them; security events (sign-in,
MFA, exports …) are written by apps/audit/security.py. Rows are never edited (a trigger
refuses UPDATE); the retention purge deletes old ones.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now


class Action(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    LOGIN = "login", "Signed in"
    LOGOUT = "logout", "Signed out"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    MFA_CHANGE = "mfa_change", "Two-factor change"
    PASSWORD_CHANGE = "password_change", "Password change"
    PERMISSION_CHANGE = "permission_change", "Permission change"
    EXPORT = "export", "Export"


SECURITY_ACTIONS = frozenset(
    {
        Action.LOGIN,
        Action.LOGOUT,
        Action.LOGIN_FAILED,
        Action.MFA_CHANGE,
        Action.PASSWORD_CHANGE,
        Action.PERMISSION_CHANGE,
        Action.EXPORT,
    }
)


class ActorKind(models.TextChoices):
    USER = "user", "Person"
    API_KEY = "api_key", "API key"
    INTEGRATION = "integration", "Integration"
    JOB = "job", "Background job"
    SYSTEM = "system", "System"


class AuditEvent(models.Model):
    created_at = models.DateTimeField(db_default=Now(), db_index=True)
    table_name = models.CharField(max_length=100, blank=True)
    record_pk = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    # {field: [before, after]}; a create has before = null, a delete after = null.
    changes = models.JSONField(default=dict, blank=True)
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices, blank=True)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=255, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["table_name", "record_pk", "-created_at"], name="audit_record"),
            models.Index(fields=["actor_id", "-created_at"], name="audit_actor"),
            models.Index(fields=["action", "-created_at"], name="audit_action"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.table_name} {self.record_pk}"

    @property
    def who(self) -> str:
        if self.actor_label:
            return self.actor_label
        return ActorKind(self.actor_kind).label if self.actor_kind else "System"


class AuditSettings(models.Model):
    """One row per company: how long the log is kept."""

    retention_days = models.PositiveIntegerField(
        default=730, help_text="Events older than this are deleted every night (default 2 years)."
    )

    class Meta:
        verbose_name_plural = "audit settings"

    def __str__(self) -> str:
        return f"Keep the audit log {self.retention_days} days"

    @classmethod
    def retention(cls) -> int:
        """Read-only (pages must not write): the stored value or the default."""
        stored = cls.objects.filter(pk=1).values_list("retention_days", flat=True).first()
        return stored or cls._meta.get_field("retention_days").default

    @classmethod
    def current(cls) -> AuditSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
