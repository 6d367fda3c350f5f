"""Import batches: an upload kept in the company's schema from preview to confirm."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportBatch(models.Model):
    """One uploaded file: validated (preview), then confirmed in one transaction.

    The file's bytes are kept in the database rather than on disk, so the web
    process that took the upload and the worker that imports it need not share
    a filesystem.
    """

    class Status(models.TextChoices):
        VALIDATING = "validating", "Checking"
        READY = "ready", "Ready to import"
        INVALID = "invalid", "Has errors"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed, nothing imported"
        DISCARDED = "discarded", "Discarded"

    kind = models.CharField(max_length=30, db_index=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.VALIDATING, db_index=True
    )
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=10)  # "csv" or "xlsx"
    content = models.BinaryField()
    row_count = models.PositiveIntegerField(default=0)
    create_count = models.PositiveIntegerField(default=0)
    update_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # File-level problems and the failure that rolled a confirm back, as words.
    message = models.TextField(blank=True)
    ignored_columns = models.JSONField(default=list, blank=True)
    job_id = models.UUIDField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.kind})"

    @property
    def kind_label(self) -> str:
        from apps.importexport.importers import IMPORTERS

        importer = IMPORTERS.get(self.kind)
        return importer.label if importer else self.kind

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.IMPORTING)

    @property
    def can_confirm(self) -> bool:
        return self.status == self.Status.READY and (self.create_count + self.update_count) > 0


class ImportRow(models.Model):
    """What the preview found for one row of the file: the action and its changes or errors."""

    class Action(models.TextChoices):
        CREATE = "create", "New"
        UPDATE = "update", "Update"
        UNCHANGED = "unchanged", "No change"
        ERROR = "error", "Error"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(help_text="The row number in the file (the header is 1).")
    action = models.CharField(max_length=20, choices=Action.choices)
    key = models.CharField(max_length=255, blank=True)
    # [[field, old, new], …] for updates; [[field, "", new], …] for new rows.
    changes = models.JSONField(default=list, blank=True)
    # [{"column": …, "message": …}, …]
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="importrow_unique_number")
        ]
        indexes = [models.Index(fields=["batch", "action", "number"], name="importrow_action")]

    def __str__(self) -> str:
        return f"row {self.number}: {self.action}"
