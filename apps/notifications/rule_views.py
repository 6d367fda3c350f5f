"""The company's notification rules (owners): which are on, thresholds, email or in-app."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.permissions import capability_required
from apps.notifications.rules import rule_settings
from apps.notifications.schedule_models import RuleSettings


class RuleSettingsForm(forms.ModelForm):
    class Meta:
        model = RuleSettings
        fields = [
            "low_stock",
            "po_approval",
            "po_approval_hours",
            "large_adjustment",
            "large_adjustment_value",
            "order_overdue",
            "stockout",
            "stockout_days",
            "sync_failed",
            "email",
        ]
        labels = {
            "low_stock": "Items at or below their reorder point",
            "po_approval": "Purchase orders waiting too long for approval",
            "po_approval_hours": "Remind after (hours)",
            "large_adjustment": "Large stock adjustments and count corrections",
            "large_adjustment_value": "Large means worth at least",
            "order_overdue": "Sales orders overdue to ship",
            "stockout": "Predicted stock-outs (from the latest forecast)",
            "stockout_days": "Warn this many days ahead",
            "sync_failed": "An integration failed to sync",
            "email": "Email as well as the bell",
        }

    def clean_po_approval_hours(self):
        hours = self.cleaned_data["po_approval_hours"]
        if not 1 <= hours <= 24 * 30:
            raise forms.ValidationError("Between 1 hour and 30 days (720 hours).")
        return hours

    def clean_stockout_days(self):
        return self._days("stockout_days")

    def _days(self, name):
        days = self.cleaned_data[name]
        if not 1 <= days <= 365:
            raise forms.ValidationError("Between 1 and 365 days.")
        return days

    def clean_large_adjustment_value(self):
        value = self.cleaned_data["large_adjustment_value"]
        if value <= 0:
            raise forms.ValidationError("Enter an amount above zero.")
        return value


@require_http_methods(["GET", "POST"])
@capability_required("settings.manage")
def rules(request):
    settings = rule_settings()
    form = RuleSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Notification rules saved.")
        return redirect("notifications:rules")
    return render(
        request, "notifications/rules.html", {"form": form}, status=400 if form.errors else 200
    )
