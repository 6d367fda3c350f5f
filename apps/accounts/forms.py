from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password

from apps.accounts.models import FontSize, Role


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(
        choices=Role.choices,
        initial=Role.CLERK,
        help_text="Owners manage settings; managers approve and manage people; clerks do the daily work; viewers only look.",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Your name")
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        label="Choose a password",
    )
    password_again = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), label="Password again"
    )

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        password, again = data.get("password"), data.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", "The two passwords are different.")
        if password:
            from apps.accounts.models import User

            try:
                validate_password(
                    password, User(email=self.email, full_name=data.get("full_name", ""))
                )
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class ProfileForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Full name", required=False)


class SecurityForm(forms.Form):
    require_mfa = forms.BooleanField(
        required=False,
        label="Require two-factor authentication for everyone",
        help_text="People without it are asked to set it up the next time they open a page.",
    )


class DisplayForm(forms.Form):
    high_contrast = forms.BooleanField(
        required=False,
        label="High contrast",
        help_text="Darker text, stronger borders and underlined links.",
    )
    font_size = forms.ChoiceField(
        choices=FontSize.choices, label="Text size", help_text="Applies to every page."
    )
