"""Shared (public schema) records about background work."""

from __future__ import annotations

import uuid

from django.db import models


class JobProgress(models.Model):
    """What a page polls to show a background job's progress (0–100 and a message)."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The schema the job works in; the status page only shows jobs of its own schema.
    schema_name = models.CharField(max_length=63, db_index=True)
    label = models.CharField(max_length=200)
    func_path = models.CharField(max_length=200)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    percent = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=255, blank=True)
    result_url = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.state})"

    @property
    def done(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)


class WorkerHeartbeat(models.Model):
    """One row, touched by a scheduled task: proof that the job worker is alive."""

    name = models.CharField(max_length=50, unique=True, default="cluster")
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
