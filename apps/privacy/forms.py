from __future__ import annotations

from django import forms


class CloseCompanyForm(forms.Form):
    confirm_slug = forms.CharField(
        max_length=50,
        label="Type your company's subdomain to confirm",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
