from __future__ import annotations

from django import forms

from apps.notifications.kinds import KINDS


class PreferencesForm(forms.Form):
    """Two checkboxes per kind (in-app, email), digest, and quiet hours."""

    daily_digest = forms.BooleanField(
        required=False,
        label="Send me one email a day instead of one per event",
    )
    quiet_from = forms.TimeField(
        required=False,
        label="Quiet hours from",
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}),
    )
    quiet_until = forms.TimeField(
        required=False,
        label="until",
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}),
    )

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = list(kinds if kinds is not None else KINDS.values())
        for kind in self.kinds:
            self.fields[f"{kind.code}__in_app"] = forms.BooleanField(
                required=False, label=f"{kind.label}: in the app"
            )
            self.fields[f"{kind.code}__email"] = forms.BooleanField(
                required=False, label=f"{kind.label}: by email"
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("quiet_from"), data.get("quiet_until")
        if (start is None) != (end is None):
            raise forms.ValidationError("Give both ends of the quiet hours, or neither.")
        if start is not None and start == end:
            raise forms.ValidationError("Quiet hours must start and end at different times.")
        return data

    def rows(self):
        """(kind, in-app field, email field) for the table."""
        return [(k, self[f"{k.code}__in_app"], self[f"{k.code}__email"]) for k in self.kinds]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        return {
            k.code: (self.cleaned_data[f"{k.code}__in_app"], self.cleaned_data[f"{k.code}__email"])
            for k in self.kinds
        }
