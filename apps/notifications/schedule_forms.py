from __future__ import annotations

import calendar

from django import forms

from apps.notifications.schedule_models import ReportSchedule


class ScheduleForm(forms.Form):
    name = forms.CharField(max_length=120, required=False, label="Name")
    fmt = forms.ChoiceField(choices=ReportSchedule.Format.choices, label="Attach as")
    frequency = forms.ChoiceField(choices=ReportSchedule.Frequency.choices, label="How often")
    weekday = forms.TypedChoiceField(
        choices=[("", "—")] + [(str(i), calendar.day_name[i]) for i in range(7)],
        coerce=int,
        empty_value=None,
        required=False,
        label="Day of the week (weekly)",
    )
    day_of_month = forms.IntegerField(
        min_value=1,
        max_value=31,
        required=False,
        label="Day of the month (monthly; 31 = last day)",
    )
    at_time = forms.TimeField(
        label="At (company time)", widget=forms.TimeInput(attrs={"type": "time"})
    )
    recipients = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Send to",
        help_text="Email addresses, one per line or separated by commas.",
    )
