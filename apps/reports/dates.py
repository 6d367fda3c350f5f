"""Date ranges with presets (today, this week, last month, quarter, year, custom), in the
company's time zone."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

PRESETS = [
    ("today", "Today"),
    ("this_week", "This week"),
    ("last_week", "Last week"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("this_quarter", "This quarter"),
    ("last_quarter", "Last quarter"),
    ("this_year", "This year"),
    ("last_year", "Last year"),
    ("last_30", "Last 30 days"),
    ("last_90", "Last 90 days"),
    ("custom", "Custom"),
]


def _quarter_start(day: dt.date) -> dt.date:
    return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)


def preset_range(preset: str, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(first day, last day), both included."""
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    if preset == "today":
        return today, today
    if preset == "this_week":
        start = today - dt.timedelta(days=today.weekday())
        return start, start + dt.timedelta(days=6)
    if preset == "last_week":
        start = today - dt.timedelta(days=today.weekday() + 7)
        return start, start + dt.timedelta(days=6)
    if preset == "this_month":
        next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
        return month_start, next_month - dt.timedelta(days=1)
    if preset == "last_month":
        end = month_start - dt.timedelta(days=1)
        return end.replace(day=1), end
    if preset == "this_quarter":
        start = _quarter_start(today)
        end = (start + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1)
        return start, end
    if preset == "last_quarter":
        end = _quarter_start(today) - dt.timedelta(days=1)
        return _quarter_start(end), end
    if preset == "this_year":
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    if preset == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    if preset == "last_90":
        return today - dt.timedelta(days=89), today
    return today - dt.timedelta(days=29), today  # last_30 and anything unknown


class DateRangeForm(forms.Form):
    period = forms.ChoiceField(choices=PRESETS, initial="last_30", required=False)
    date_from = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From"
    )
    date_to = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To"
    )

    def clean(self):
        data = super().clean()
        period = data.get("period") or "last_30"
        if period == "custom":
            start, end = data.get("date_from"), data.get("date_to")
            if not start or not end:
                raise forms.ValidationError("A custom period needs both a start and an end date.")
            if start > end:
                raise forms.ValidationError("The start date is after the end date.")
        else:
            start, end = preset_range(period)
        data["period"], data["date_from"], data["date_to"] = period, start, end
        return data
