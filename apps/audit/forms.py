from django import forms

from apps.audit.services import MAX_RETENTION_DAYS, MIN_RETENTION_DAYS


class RetentionForm(forms.Form):
    retention_days = forms.IntegerField(
        label="Keep the log for (days)",
        min_value=MIN_RETENTION_DAYS,
        max_value=MAX_RETENTION_DAYS,
        help_text="Older events are deleted every night. The default is 730 days (2 years).",
    )
