"""The company's forecasting settings: read (created with defaults) and change them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from apps.forecasting.errors import ForecastingError
from apps.forecasting.models import ForecastSettings

MAX_HORIZON = 91


def forecast_settings() -> ForecastSettings:
    settings, _ = ForecastSettings.objects.get_or_create(pk=1)
    return settings


def forecast_settings_read() -> ForecastSettings:
    """The settings for showing (one query, never a write): the defaults until saved."""
    return ForecastSettings.objects.filter(pk=1).first() or ForecastSettings(pk=1)


def _level(field: str, value) -> Decimal:
    try:
        level = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ForecastingError("A service level is a number such as 0.95.", field=field) from None
    if level > 1:  # typed as a percentage
        level = level / 100
    if not Decimal("0.5") <= level < Decimal("1"):
        raise ForecastingError(
            "A service level is between 50% and 99.99% (100% would need infinite stock).",
            field=field,
        )
    return level.quantize(Decimal("0.0001"))


def _days(field: str, value, low: int, high: int, words: str) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise ForecastingError(f"{words} is a whole number of days.", field=field) from None
    if not low <= days <= high:
        raise ForecastingError(f"{words} is between {low} and {high} days.", field=field)
    return days


def forecast_settings_update(**changes) -> ForecastSettings:
    """Change the settings; every value is checked before anything is saved."""
    settings = forecast_settings()
    allowed = {
        "reorder_mode",
        "service_level_a",
        "service_level_b",
        "service_level_c",
        "review_period_days",
        "horizon_days",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"forecast_settings_update() got unexpected fields {sorted(unknown)}")
    values = {}
    for field, value in changes.items():
        if field == "reorder_mode":
            if value not in ForecastSettings.ReorderMode.values:
                raise ForecastingError(
                    "Choose manual or forecast-driven reorder values.", field=field
                )
            values[field] = value
        elif field.startswith("service_level_"):
            values[field] = _level(field, value)
        elif field == "review_period_days":
            values[field] = _days(field, value, 1, 60, "The review period")
        elif field == "horizon_days":
            values[field] = _days(field, value, 7, MAX_HORIZON, "The forecast horizon")
    for field, value in values.items():
        setattr(settings, field, value)
    a = values.get("service_level_a", settings.service_level_a)
    b = values.get("service_level_b", settings.service_level_b)
    c = values.get("service_level_c", settings.service_level_c)
    if not Decimal(a) >= Decimal(b) >= Decimal(c):
        raise ForecastingError(
            "Service levels go down from A to C (A items matter most).", field="service_level_a"
        )
    settings.save()
    return settings
