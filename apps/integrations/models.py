"""Connections to outside channels, what we know of their ids, their webhooks and sync runs.

Per company schema. Credentials are stored encrypted (``crypto.py``) and never leave the
server again: forms show only whether a credential is set.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Provider(models.TextChoices):
    SHOPIFY = "shopify", "Shopify"
    WOOCOMMERCE = "woocommerce", "WooCommerce"
    STRIPE = "stripe", "Stripe"
    SLACK = "slack", "Slack"
    TWILIO = "twilio", "Twilio SMS"
    MAILCHIMP = "mailchimp", "Mailchimp"
    AMAZON = "amazon", "Amazon"
    QUICKBOOKS = "quickbooks", "QuickBooks Online"


class Connection(models.Model):
    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        ERROR = "error", "Error"
        PAUSED = "paused", "Paused"
        DISCONNECTED = "disconnected", "Disconnected"

    provider = models.CharField(max_length=20, choices=Provider.choices)
    name = models.CharField(max_length=120)
    # Shop address or API base URL; not a secret.
    base_url = models.CharField(max_length=300, blank=True)
    credentials_encrypted = models.TextField(blank=True, editable=False)
    # Warehouse→channel location, sync directions, field mapping (see docs/integrations.md).
    settings = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONNECTED)
    status_message = models.CharField(max_length=500, blank=True)
    # Per entity: {"products": {"updated_since": iso, "cursor": "...", "last_sync": iso}, ...}
    sync_state = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "name"], name="integration_connection_unique_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} · {self.name}"

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials_encrypted)

    def last_sync(self, entity: str) -> str | None:
        return (self.sync_state.get(entity) or {}).get("last_sync")


class ExternalId(models.Model):
    """A local record and its id on the channel: what makes re-syncing change nothing."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="ids")
    entity = models.CharField(max_length=30)  # "variant", "product", "inventory_item", ...
    local_id = models.BigIntegerField()
    external_id = models.CharField(max_length=200)
    # The channel's own reference data we need later (e.g. Shopify inventory item id).
    data = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "entity", "external_id"], name="external_id_unique_remote"
            ),
            models.UniqueConstraint(
                fields=["connection", "entity", "local_id"], name="external_id_unique_local"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.local_id} ↔ {self.external_id}"


class InboxEvent(models.Model):
    """One webhook delivery, stored raw after its signature checked out."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"
        FAILED = "failed", "Failed"

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="inbox")
    event_id = models.CharField(max_length=200)
    topic = models.CharField(max_length=100)
    headers = models.JSONField(default=dict, blank=True)
    body = models.TextField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    error = models.TextField(blank=True)
    result = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "event_id"], name="inbox_event_unique_delivery"
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.event_id}"


class SyncRun(models.Model):
    """One run of one sync (import products, push stock...), with what it did."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="runs")
    entity = models.CharField(max_length=30)  # "products", "stock", "webhook"
    trigger = models.CharField(max_length=20, default="manual")  # manual/schedule/retry/connect
    state = models.CharField(max_length=20, choices=State.choices, default=State.RUNNING)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # [{"record": "SKU-1 (gid://...)", "message": "..."}], capped.
    errors = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=500, blank=True)
    job_id = models.CharField(max_length=64, blank=True)
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["connection", "-started_at"], name="syncrun_recent")]
        constraints = [
            # One run of an entity at a time per connection.
            models.UniqueConstraint(
                fields=["connection", "entity"],
                condition=Q(state="running"),
                name="syncrun_one_running",
            )
        ]

    def __str__(self) -> str:
        return f"{self.connection} {self.entity} {self.state}"
