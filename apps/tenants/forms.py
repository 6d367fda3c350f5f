from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib.auth.password_validation import validate_password

from apps.core.security_uploads import image_reencode
from apps.tenants.models import Plan, Tenant
from apps.tenants.services.currencies import CURRENCIES

MAX_LOGO_BYTES = 1024 * 1024
LOGO_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif"}


class SignupForm(forms.Form):
    company_name = forms.CharField(max_length=120, label="Company name")
    subdomain = forms.CharField(
        max_length=40,
        label="Your address",
        help_text="Lowercase letters, digits and hyphens. You can't change it later.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    full_name = forms.CharField(max_length=150, label="Your name")
    email = forms.EmailField(
        label="Work email", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    accept_terms = forms.BooleanField(label="I accept the terms of service and the privacy policy")

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password:
            from apps.accounts.models import User

            try:
                validate_password(
                    password, User(email=data.get("email", ""), full_name=data.get("full_name", ""))
                )
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class CreateCompanyForm(forms.Form):
    """The console's form: a company created for a customer, whose owner is invited by email."""

    company_name = forms.CharField(max_length=120, label="Company name")
    subdomain = forms.CharField(max_length=40, label="Subdomain")
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.all(), required=False, empty_label="Default plan"
    )
    owner_email = forms.EmailField(
        label="Owner's email", help_text="They get an invitation to choose their password."
    )


class SuspendForm(forms.Form):
    reason = forms.CharField(max_length=255, label="Reason (shown to the company's users)")


class ScheduleDeletionForm(forms.Form):
    grace_days = forms.IntegerField(
        min_value=1, max_value=365, initial=30, label="Grace period (days)"
    )
    confirm_slug = forms.CharField(label="Type the subdomain to confirm")

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant

    def clean_confirm_slug(self):
        value = self.cleaned_data["confirm_slug"].strip().lower()
        if value != self.tenant.slug:
            raise forms.ValidationError(f"Type “{self.tenant.slug}” exactly to confirm.")
        return value


def _time_zones():
    return [
        (tz, tz.replace("_", " "))
        for tz in sorted(zoneinfo.available_timezones())
        if "/" in tz or tz == "UTC"
    ]


class TenantSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=_time_zones)
    currency = forms.ChoiceField(choices=[(code, f"{code} — {name}") for code, name in CURRENCIES])

    class Meta:
        model = Tenant
        fields = [
            "name",
            "legal_name",
            "address",
            "contact_email",
            "phone",
            "time_zone",
            "currency",
            "logo",
            "accent_colour",
            "allow_negative_stock",
            "valuation_method",
        ]
        labels = {
            "name": "Company name",
            "accent_colour": "Accent colour",
            "allow_negative_stock": "Allow negative stock",
        }
        help_texts = {
            "allow_negative_stock": "Off: a shipment or adjustment that would take stock below zero is refused.",
            "logo": "PNG, JPEG, WebP or GIF, up to 1 MB. Shown in the top bar and on documents.",
            "valuation_method": "How stock value is reported by default. Both are always kept.",
        }
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "accent_colour": forms.TextInput(attrs={"type": "color"}),
        }

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        upload = self.files.get("logo")
        if upload is not None:
            if upload.size > MAX_LOGO_BYTES:
                raise forms.ValidationError("The logo is larger than 1 MB. Choose a smaller file.")
            if getattr(upload, "content_type", "") not in LOGO_TYPES:
                raise forms.ValidationError("The logo must be a PNG, JPEG, WebP or GIF image.")
            # Stored as an image we encoded ourselves (apps/core/security_uploads.py).
            return image_reencode(upload, max_bytes=MAX_LOGO_BYTES, max_side=512, label="logo")
        return logo
