"""Connect forms of the channel slice (Slack, Twilio, Amazon, Mailchimp, QuickBooks).
Secret fields never render their value."""

from __future__ import annotations

from django import forms

from apps.integrations.providers.amazon import MARKETPLACES
from apps.inventory.models import Warehouse
from apps.notifications.kinds import KINDS


def _secret(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=500,
        help_text=help_text,
        widget=forms.PasswordInput(render_value=False),
    )


class KindsField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            label="Notifications to send",
            choices=[(k.code, k.label) for k in KINDS.values()],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="None ticked: every notification.",
            **kwargs,
        )


class SlackConnectForm(forms.Form):
    name = forms.CharField(label="Name in Stockroom", max_length=120, initial="Slack")
    webhook_url = _secret(
        "Incoming webhook URL",
        "From the Slack app's Incoming Webhooks page: https://hooks.slack.com/services/…",
    )
    kinds = KindsField()


class TwilioConnectForm(forms.Form):
    name = forms.CharField(label="Name in Stockroom", max_length=120, initial="SMS")
    account_sid = forms.CharField(label="Account SID", max_length=34, help_text="Starts with AC.")
    auth_token = _secret("Auth token")
    sender = forms.CharField(
        label="Send from",
        max_length=40,
        help_text="Your Twilio number (+14155550123) or a Messaging Service SID (MG…).",
    )
    to_numbers = forms.CharField(
        label="Text these numbers",
        max_length=500,
        help_text="International form, separated by commas.",
    )
    kinds = KindsField()


class AmazonConnectForm(forms.Form):
    name = forms.CharField(label="Name in Stockroom", max_length=120, required=False)
    marketplace = forms.ChoiceField(
        label="Marketplace", choices=[(code, f"Amazon {code}") for code in MARKETPLACES]
    )
    seller_id = forms.CharField(label="Seller ID", max_length=40)
    client_id = forms.CharField(label="LWA client ID", max_length=200)
    client_secret = _secret("LWA client secret")
    refresh_token = _secret("Refresh token", "From authorising the app in Seller Central.")
    warehouse = forms.ModelChoiceField(
        label="Warehouse that fulfils merchant orders",
        queryset=Warehouse.objects.none(),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True).exclude(
            code__startswith="AMZ-FBA-"
        )


class OAuthConnectForm(forms.Form):
    name = forms.CharField(
        label="Name in Stockroom",
        max_length=120,
        required=False,
        help_text="Leave empty to use the account's name.",
    )
