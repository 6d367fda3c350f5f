"""The company's sales settings: one row, created with defaults when first asked for."""

from __future__ import annotations

from apps.sales.models import SalesSettings


def sales_settings() -> SalesSettings:
    settings, _ = SalesSettings.objects.get_or_create(pk=1)
    return settings
