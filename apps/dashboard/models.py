from __future__ import annotations

from django.conf import settings
from django.db import models


class DashboardLayout(models.Model):
    """One user's arrangement of the dashboard: the widget keys in the order they chose,
    and the ones they hid. Widgets added to the product later, and so missing from
    ``order``, appear after the arranged ones in the registry's order."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_layout"
    )
    order = models.JSONField(default=list, blank=True)
    hidden = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Dashboard layout of {self.user}"
