"""Forecast runs and what they produce, per company schema.

A ``ForecastRun`` records one run of ``ml.pipeline`` (nightly or on demand): when, how many
series, which models were chosen and the aggregate backtest accuracy. ``Forecast`` holds the
daily forecast with its 80% and 95% bands per variant (all warehouses pooled) and is kept per
run, so later runs can be compared with what was forecast at the time. ``PolicyResult`` is
the per-variant outcome: chosen model and why (metrics), classes, safety stock, reorder
point, order quantity and predicted stock-out.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.catalog.models import Variant

QTY = {"max_digits": 14, "decimal_places": 3}


class ForecastRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", "Nightly"
        MANUAL = "manual", "Re-forecast now"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    variant = models.ForeignKey(
        Variant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # set when one product's variants were re-forecast; null = whole catalogue
    horizon = models.PositiveSmallIntegerField(default=28)
    history_start = models.DateField(null=True, blank=True)
    history_end = models.DateField(null=True, blank=True)
    series = models.PositiveIntegerField(default=0)
    model_mix = models.JSONField(default=dict, blank=True)
    accuracy = models.JSONField(default=dict, blank=True)
    # Daily revenue forecast: {"dates": [...], "revenue": [...], "lower_80": [...], ...}
    revenue = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Forecast run {self.pk} ({self.status})"


class Forecast(models.Model):
    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="forecasts")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="forecasts")
    date = models.DateField()
    quantity = models.DecimalField(**QTY)
    lower_80 = models.DecimalField(**QTY)
    upper_80 = models.DecimalField(**QTY)
    lower_95 = models.DecimalField(**QTY)
    upper_95 = models.DecimalField(**QTY)

    class Meta:
        ordering = ["variant_id", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "variant", "date"], name="forecast_unique_run_variant_date"
            ),
        ]
        indexes = [models.Index(fields=["variant", "date"], name="forecast_variant_date")]

    def __str__(self) -> str:
        return f"{self.variant_id} {self.date}: {self.quantity}"


class PolicyResult(models.Model):
    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="policies")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="policy_results")
    model = models.CharField(max_length=30)
    demand_class = models.CharField(max_length=20)
    pattern = models.CharField(max_length=120, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    abc = models.CharField(max_length=1)
    xyz = models.CharField(max_length=1)
    service_level = models.DecimalField(max_digits=5, decimal_places=4)
    lead_time_days = models.PositiveSmallIntegerField()
    daily_demand = models.DecimalField(**QTY)
    safety_stock = models.DecimalField(**QTY)
    reorder_point = models.DecimalField(**QTY)
    order_quantity = models.DecimalField(**QTY)
    stock_position = models.DecimalField(**QTY)
    stockout_date = models.DateField(null=True, blank=True)
    stockout_probability = models.DecimalField(max_digits=5, decimal_places=4)

    class Meta:
        ordering = ["variant_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "variant"], name="policy_unique_run_variant"),
        ]
        indexes = [models.Index(fields=["variant", "-run"], name="policy_variant_latest")]

    def __str__(self) -> str:
        return f"{self.variant_id}: reorder at {self.reorder_point}"


class ForecastSettings(models.Model):
    """The company's forecasting settings: one row (pk 1), created with defaults when first
    read. Ordering cost and holding cost rate are the purchasing settings' (one figure for
    every EOQ in the company)."""

    class ReorderMode(models.TextChoices):
        MANUAL = "manual", "Manual: reorder values are entered by hand"
        FORECAST = "forecast", "Forecast-driven: reorder values are updated every night"

    reorder_mode = models.CharField(
        max_length=10, choices=ReorderMode.choices, default=ReorderMode.MANUAL
    )
    service_level_a = models.DecimalField(max_digits=5, decimal_places=4, default="0.98")
    service_level_b = models.DecimalField(max_digits=5, decimal_places=4, default="0.95")
    service_level_c = models.DecimalField(max_digits=5, decimal_places=4, default="0.90")
    review_period_days = models.PositiveSmallIntegerField(default=7)
    horizon_days = models.PositiveSmallIntegerField(default=28)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Forecasting settings"

    @property
    def service_levels(self) -> dict[str, float]:
        return {
            "A": float(self.service_level_a),
            "B": float(self.service_level_b),
            "C": float(self.service_level_c),
        }


class WarehouseForecast(models.Model):
    """The daily forecast of one variant in one warehouse (demand shipped from there), kept
    per run beside the variant total in ``Forecast``. Only variants that shipped from two or
    more warehouses get these rows: with one warehouse the total is that warehouse's."""

    run = models.ForeignKey(
        ForecastRun, on_delete=models.CASCADE, related_name="warehouse_forecasts"
    )
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    quantity = models.DecimalField(**QTY)
    lower_80 = models.DecimalField(**QTY)
    upper_80 = models.DecimalField(**QTY)
    lower_95 = models.DecimalField(**QTY)
    upper_95 = models.DecimalField(**QTY)

    class Meta:
        ordering = ["variant_id", "warehouse_id", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "variant", "warehouse", "date"],
                name="whforecast_unique_run_variant_wh_date",
            ),
        ]
        indexes = [
            models.Index(fields=["variant", "warehouse", "date"], name="whforecast_variant_wh")
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.warehouse_id} {self.date}: {self.quantity}"


class WarehousePolicy(models.Model):
    """One variant's policy in one warehouse: safety stock and reorder point from that
    warehouse's own forecast (service level from the variant's ABC class)."""

    run = models.ForeignKey(
        ForecastRun, on_delete=models.CASCADE, related_name="warehouse_policies"
    )
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=30)
    demand_class = models.CharField(max_length=20)
    metrics = models.JSONField(default=dict, blank=True)
    service_level = models.DecimalField(max_digits=5, decimal_places=4)
    lead_time_days = models.PositiveSmallIntegerField()
    daily_demand = models.DecimalField(**QTY)
    safety_stock = models.DecimalField(**QTY)
    reorder_point = models.DecimalField(**QTY)
    order_quantity = models.DecimalField(**QTY)
    stock_position = models.DecimalField(**QTY)
    stockout_date = models.DateField(null=True, blank=True)
    stockout_probability = models.DecimalField(max_digits=5, decimal_places=4)

    class Meta:
        ordering = ["variant_id", "warehouse_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "variant", "warehouse"], name="whpolicy_unique_run_variant_wh"
            ),
        ]
        indexes = [models.Index(fields=["variant", "-run"], name="whpolicy_variant_latest")]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.warehouse_id}: reorder at {self.reorder_point}"


class DemandHistory(models.Model):
    """Demand imported from before the company used Stockroom (CSV/XLSX through the
    import framework): units sold per variant and day, optionally per warehouse. Demand
    extraction merges it with the ledger's; the ledger wins on days it covers."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey(
        "inventory.Warehouse", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )  # null: the variant's demand with no warehouse given
    date = models.DateField()
    quantity = models.DecimalField(**QTY)
    stockout = models.BooleanField(default=False)  # sold out that day: lost sales, not zero
    batch_id = models.BigIntegerField(null=True, blank=True)  # the import that wrote it

    class Meta:
        ordering = ["variant_id", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "warehouse", "date"],
                name="demandhistory_unique_variant_wh_date",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="demandhistory_quantity_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["date"], name="demandhistory_date")]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.warehouse_id or '-'} {self.date}: {self.quantity}"
