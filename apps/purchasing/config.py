"""The company's purchasing settings: one row, created with defaults when first asked for."""

from __future__ import annotations

from apps.purchasing.models import PurchasingSettings


def purchasing_settings() -> PurchasingSettings:
    settings, _ = PurchasingSettings.objects.get_or_create(pk=1)
    return settings
