"""How good the latest demand forecast was; empty until apps.forecasting stores runs."""

from __future__ import annotations

from apps.accounts.models import Role
from apps.dashboard import sales_source
from apps.dashboard.registry import Widget, register


@register
class ForecastAccuracy(Widget):
    key = "forecast_accuracy"
    title = "Forecast accuracy"
    icon = "bullseye"
    template = "dashboard/widgets/forecast_accuracy.html"
    roles = frozenset({Role.OWNER, Role.MANAGER, Role.VIEWER})
    position = 90
    query_budget = 1

    def data(self, ctx) -> dict:
        model = sales_source.forecast_run_model()
        if model is None:
            return {"empty": True, "empty_text": "No forecasts yet"}
        latest = sales_source.latest_forecast_accuracy(model)
        if latest is None:
            return {"empty": True, "empty_text": "No forecasts yet"}
        return {"empty": False, **latest}
