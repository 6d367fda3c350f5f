from __future__ import annotations

from django import forms

from apps.forecasting.models import ForecastSettings

PERCENT = {"min_value": 50, "max_value": 99.99, "decimal_places": 2}


class SettingsForm(forms.Form):
    reorder_mode = forms.ChoiceField(
        label="Reorder point, safety stock and reorder quantity",
        choices=ForecastSettings.ReorderMode.choices,
        widget=forms.RadioSelect,
    )
    service_level_a = forms.DecimalField(label="Service level, class A items (%)", **PERCENT)
    service_level_b = forms.DecimalField(label="Service level, class B items (%)", **PERCENT)
    service_level_c = forms.DecimalField(label="Service level, class C items (%)", **PERCENT)
    review_period_days = forms.IntegerField(
        label="Review period (days between orders)", min_value=1, max_value=60
    )
    horizon_days = forms.IntegerField(label="Forecast horizon (days)", min_value=7, max_value=91)

    @staticmethod
    def initial_from(settings: ForecastSettings) -> dict:
        return {
            "reorder_mode": settings.reorder_mode,
            "service_level_a": settings.service_level_a * 100,
            "service_level_b": settings.service_level_b * 100,
            "service_level_c": settings.service_level_c * 100,
            "review_period_days": settings.review_period_days,
            "horizon_days": settings.horizon_days,
        }
