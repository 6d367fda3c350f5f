from __future__ import annotations

from django import forms

from apps.tenants.services.errors import TenantError
from apps.tenants.services.subdomains import subdomain_validate


class RestoreForm(forms.Form):
    MODES = [
        ("new", "As a new company (the current company is not touched)"),
        ("replace", "Over this company (replaces all of its current data)"),
    ]
    mode = forms.ChoiceField(
        choices=MODES, widget=forms.RadioSelect, initial="new", label="Restore"
    )
    new_slug = forms.CharField(
        required=False, max_length=40, label="Subdomain of the new company",
        help_text="Only for a restore as a new company.",
    )  # fmt: skip
    confirm_slug = forms.CharField(
        required=False, max_length=50, label="Type the company's subdomain to confirm",
        help_text="Only for a restore over this company.",
    )  # fmt: skip

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant

    def clean(self):
        data = super().clean()
        if data.get("mode") == "new":
            try:
                data["new_slug"] = subdomain_validate(data.get("new_slug") or "")
            except TenantError as exc:
                self.add_error("new_slug", exc.message)
        elif data.get("mode") == "replace":
            if (data.get("confirm_slug") or "").strip().lower() != self.tenant.slug:
                self.add_error(
                    "confirm_slug", f"Type “{self.tenant.slug}” exactly to replace its data."
                )
        return data
