from __future__ import annotations

from decimal import Decimal

from django import forms

from apps.inventory.models import Location, StockMove


class WarehouseForm(forms.Form):
    code = forms.CharField(max_length=20, help_text="Short, e.g. MAIN or NYC-1.")
    name = forms.CharField(max_length=120)
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class LocationForm(forms.Form):
    code = forms.CharField(max_length=40, help_text="e.g. A-01-03")
    name = forms.CharField(max_length=120, required=False)
    kind = forms.ChoiceField(
        choices=[c for c in Location.Kind.choices if c[0] not in ("receiving", "transit")],
        initial="bin",
    )


class AdjustmentForm(forms.Form):
    code = forms.CharField(
        label="Scan or type a barcode or SKU",
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "inputmode": "text",
                "autocapitalize": "characters",
            }
        ),
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.filter(is_active=True)
        .select_related("warehouse")
        .order_by("warehouse__code", "code")
    )
    quantity = forms.DecimalField(
        max_digits=14, decimal_places=3, help_text="Positive to add stock, negative to remove it."
    )
    reason = forms.ChoiceField(choices=StockMove.Reason.choices)
    unit_cost = forms.DecimalField(
        max_digits=14,
        decimal_places=4,
        min_value=Decimal(0),
        required=False,
        help_text="For stock added. Empty: the current average cost.",
    )
    note = forms.CharField(max_length=255, required=False)

    def clean_quantity(self):
        value = self.cleaned_data["quantity"]
        if value == 0:
            raise forms.ValidationError("Enter a quantity other than zero.")
        return value
