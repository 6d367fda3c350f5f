"""Connect forms. Secret fields never render their value: a saved secret is not shown again."""

from __future__ import annotations

from django import forms

from apps.inventory.models import Warehouse


class ShopifyConnectForm(forms.Form):
    shop = forms.CharField(
        label="Store address",
        max_length=200,
        help_text="Your store's myshopify.com address, e.g. acme.myshopify.com.",
    )
    name = forms.CharField(
        label="Name in Stockroom",
        max_length=120,
        required=False,
        help_text="Leave empty to use the store's name.",
    )


class WooCommerceConnectForm(forms.Form):
    name = forms.CharField(label="Name in Stockroom", max_length=120)
    url = forms.CharField(
        label="Store address", max_length=300, help_text="e.g. https://shop.example.com"
    )
    consumer_key = forms.CharField(
        label="Consumer key", max_length=200, widget=forms.PasswordInput(render_value=False)
    )
    consumer_secret = forms.CharField(
        label="Consumer secret", max_length=200, widget=forms.PasswordInput(render_value=False)
    )
    warehouse = forms.ModelChoiceField(
        label="Warehouse that feeds the store",
        queryset=Warehouse.objects.none(),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True)


class StripeConnectForm(forms.Form):
    name = forms.CharField(label="Name in Stockroom", max_length=120, initial="Stripe")
    secret_key = forms.CharField(
        label="Secret key",
        max_length=300,
        help_text="From the Stripe dashboard, Developers → API keys (starts with sk_ or rk_).",
        widget=forms.PasswordInput(render_value=False),
    )


class LocationMapForm(forms.Form):
    """Which warehouse feeds which channel location (one row per channel location)."""

    def __init__(self, *args, connection, **kwargs):
        super().__init__(*args, **kwargs)
        self.connection = connection
        current = {
            m.get("location_id") or "default": m.get("warehouse_id")
            for m in connection.settings.get("locations") or []
        }
        warehouses = Warehouse.objects.filter(is_active=True).order_by("code")
        choices = [("", "— not synced —")] + [(str(w.pk), str(w)) for w in warehouses]
        locations = connection.settings.get("locations_available") or [
            {"id": "default", "name": "Store stock"}
        ]
        self.locations = locations
        for i, loc in enumerate(locations):
            self.fields[f"loc_{i}"] = forms.ChoiceField(
                label=loc["name"],
                choices=choices,
                required=False,
                initial=str(current.get(loc["id"]) or ""),
            )

    def mapping(self) -> list[dict]:
        rows = []
        for i, loc in enumerate(self.locations):
            value = self.cleaned_data.get(f"loc_{i}")
            if value:
                row = {"warehouse_id": int(value)}
                if loc["id"] != "default":
                    row["location_id"] = loc["id"]
                rows.append(row)
        return rows


class FieldMapForm(forms.Form):
    """Channel fields (custom fields/attributes included) → Stockroom fields, one per line."""

    field_map = forms.CharField(
        label="Field mapping",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false", "class": "font-monospace"}),
    )

    def __init__(self, *args, connection, **kwargs):
        from apps.integrations.field_map import SOURCES, TARGETS, field_map_text

        super().__init__(*args, **kwargs)
        self.connection = connection
        spec = SOURCES[connection.provider]
        self.fields["field_map"].initial = field_map_text(
            connection.settings.get("field_map") or []
        )
        sources = ", ".join([*spec["fixed"], *(f"{p}…" for p in spec["prefixes"])])
        self.fields["field_map"].help_text = (
            f"One “channel field = Stockroom field” per line, e.g. {spec['example']}. "
            f"Channel fields: {sources}. Stockroom fields: {', '.join(TARGETS)}, option:<name>."
        )
