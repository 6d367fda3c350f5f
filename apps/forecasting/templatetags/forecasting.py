"""``{% reorder_values_source variant %}``: where a variant's reorder values come from."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def reorder_values_source(variant=None):
    from apps.forecasting.config import forecast_settings_read
    from apps.forecasting.models import ForecastSettings

    if forecast_settings_read().reorder_mode == ForecastSettings.ReorderMode.FORECAST:
        return format_html(
            '<p class="small mb-2" id="reorder-source"><strong>Forecast-driven:</strong> the '
            "nightly forecast overwrites reorder point, safety stock and reorder quantity"
            "{}.</p>",
            format_html(
                ' (<a href="{}">see this variant\'s forecast</a>)',
                reverse("forecasting:variant", args=[variant.pk]),
            )
            if variant is not None and variant.pk
            else "",
        )
    return mark_safe(  # noqa: S308 - constant text
        '<p class="small text-body-secondary mb-2" id="reorder-source">Entered by hand: '
        "forecasts do not change these values (a forecasting setting).</p>"
    )
