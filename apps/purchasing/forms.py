from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q

from apps.catalog.models import Supplier, Variant
from apps.inventory.models import Warehouse
from apps.purchasing.models import PurchaseOrderCharge, PurchasingSettings


class OrderForm(forms.Form):
    supplier = forms.ModelChoiceField(queryset=Supplier.objects.none())
    warehouse = forms.ModelChoiceField(queryset=Warehouse.objects.none(), label="Deliver to")
    currency = forms.CharField(
        max_length=3,
        required=False,
        help_text="Empty: the supplier's currency.",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 4}),
    )
    exchange_rate = forms.DecimalField(
        max_digits=14,
        decimal_places=6,
        required=False,
        min_value=Decimal("0.000001"),
        help_text="Company currency per one unit of the order's currency, today. "
        "Not needed when they are the same.",
    )
    expected_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: today plus the supplier's lead time.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.filter(is_active=True)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True)
        if editing:  # supplier, warehouse and currency are fixed once the order exists
            for name in ("supplier", "warehouse", "currency"):
                self.fields[name].disabled = True
                self.fields[name].required = False


class LineForm(forms.Form):
    code = forms.CharField(
        label="SKU, barcode or supplier SKU",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    quantity = forms.DecimalField(max_digits=14, decimal_places=3, required=False)
    unit_cost = forms.DecimalField(
        max_digits=14, decimal_places=4, required=False, help_text="Empty: the supplier's price."
    )
    tax_rate = forms.DecimalField(max_digits=6, decimal_places=3, required=False, label="Tax %")

    def clean(self):
        data = super().clean()
        code = (data.get("code") or "").strip()
        if not code:
            return data
        if data.get("quantity") is None:
            self.add_error("quantity", "Enter the quantity to order.")
        data["variant"] = (
            Variant.objects.filter(
                Q(barcode=code) | Q(sku__iexact=code) | Q(supplier_items__supplier_sku__iexact=code)
            )
            .distinct()
            .first()
        )
        if data["variant"] is None:
            self.add_error("code", f"No variant has the SKU, barcode or supplier SKU “{code}”.")
        return data


class ChargeForm(forms.Form):
    kind = forms.ChoiceField(
        choices=PurchaseOrderCharge.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    description = forms.CharField(max_length=200, required=False)
    amount = forms.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=0)
    allocation = forms.ChoiceField(
        choices=PurchaseOrderCharge.Allocation.choices,
        label="Spread over lines",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


LineFormSet = forms.formset_factory(LineForm, extra=0, min_num=1)
ChargeFormSet = forms.formset_factory(ChargeForm, extra=0)


class DecisionForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SendForm(forms.Form):
    to = forms.CharField(label="To", help_text="Separate several addresses with commas.")
    subject = forms.CharField(max_length=200)
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 7}))


class SettingsForm(forms.ModelForm):
    class Meta:
        model = PurchasingSettings
        fields = [
            "number_prefix",
            "approval_threshold",
            "manager_approval_limit",
            "over_receipt_tolerance_percent",
            "replenishment_mode",
            "ordering_cost",
            "holding_cost_rate",
        ]
        labels = {
            "number_prefix": "Purchase order number prefix",
            "over_receipt_tolerance_percent": "Over-receipt tolerance (%)",
            "holding_cost_rate": "Holding cost rate (% a year)",
            "replenishment_mode": "Daily reorder run",
        }

    def clean_number_prefix(self):
        value = self.cleaned_data["number_prefix"].strip().upper()
        if not value or not all(c.isalnum() or c in "-/_" for c in value):
            raise forms.ValidationError("Use letters, digits and - / _ only, e.g. PO-.")
        return value

    def clean_over_receipt_tolerance_percent(self):
        value = self.cleaned_data["over_receipt_tolerance_percent"]
        if value < 0 or value > 100:
            raise forms.ValidationError("Enter a tolerance between 0 and 100 %.")
        return value

    def clean(self):
        data = super().clean()
        for name in ("approval_threshold", "manager_approval_limit", "ordering_cost"):
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, "Enter an amount of zero or more.")
        if data.get("holding_cost_rate") is not None and not 0 <= data["holding_cost_rate"] <= 100:
            self.add_error("holding_cost_rate", "Enter a rate between 0 and 100 %.")
        return data
