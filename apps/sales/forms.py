from __future__ import annotations

from django import forms
from django.db.models import Q

from apps.catalog.models import Variant
from apps.inventory.models import Location, Warehouse
from apps.sales.carriers import carrier_choices
from apps.sales.models import Customer, Payment, SalesOrder, SalesReturnLine, SalesSettings


class OrderForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=Customer.objects.none())
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.none(),
        required=False,
        label="Ship from",
        empty_label="By the allocation rule",
        help_text="Empty: the customer's preferred warehouse, then the one with the most stock.",
    )
    channel = forms.ChoiceField(choices=SalesOrder.Channel.choices, initial="manual")
    customer_reference = forms.CharField(
        max_length=60, required=False, label="Customer's reference (PO number)"
    )
    promised_date = forms.DateField(
        required=False,
        label="Promised to ship by",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: the order date plus the company's handling days.",
    )
    shipping_address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Empty: the customer's default shipping address.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(
            is_active=True, erased_at__isnull=True
        ).only("pk", "name")
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True)
        if editing:  # the customer (and so the currency and prices) is fixed once ordered
            self.fields["customer"].disabled = True
            self.fields["customer"].required = False
            self.fields["channel"].disabled = True
            self.fields["channel"].required = False


class LineForm(forms.Form):
    code = forms.CharField(
        label="SKU or barcode",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    quantity = forms.DecimalField(max_digits=14, decimal_places=3, required=False)
    unit_price = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text="Empty: the customer's price. Managers only.",
    )
    discount_percent = forms.DecimalField(
        max_digits=5, decimal_places=2, required=False, label="Discount %"
    )
    tax_rate = forms.DecimalField(max_digits=6, decimal_places=3, required=False, label="Tax %")

    def clean(self):
        data = super().clean()
        code = (data.get("code") or "").strip()
        if not code:
            return data
        if data.get("quantity") is None:
            self.add_error("quantity", "Enter the quantity.")
        data["variant"] = Variant.objects.filter(Q(barcode=code) | Q(sku__iexact=code)).first()
        if data["variant"] is None:
            self.add_error("code", f"No variant has the SKU or barcode “{code}”.")
        return data


LineFormSet = forms.formset_factory(LineForm, extra=0, max_num=500, validate_max=True)


class ShipForm(forms.Form):
    carrier = forms.ChoiceField(choices=[("", "—"), *carrier_choices()], required=False)
    service = forms.CharField(max_length=60, required=False, help_text="e.g. Ground, Express")
    tracking_number = forms.CharField(max_length=80, required=False)
    weight_kg = forms.DecimalField(
        max_digits=10, decimal_places=3, required=False, min_value=0, label="Weight (kg)"
    )
    packages = forms.IntegerField(min_value=1, max_value=999, initial=1)


class PaymentForm(forms.Form):
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0.01)
    method = forms.ChoiceField(choices=Payment.Method.choices)
    reference = forms.CharField(max_length=80, required=False)
    received_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ReturnForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False)
    refund_amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        min_value=0,
        help_text="Empty: what the returned units were billed at.",
    )


class ReturnLineForm(forms.Form):
    line_id = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.DecimalField(max_digits=14, decimal_places=3, required=False, min_value=0)
    disposition = forms.ChoiceField(
        choices=SalesReturnLine.Disposition.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    reason = forms.CharField(max_length=200, required=False)
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(),
        required=False,
        empty_label="Where it shipped from",
        label="Restock to",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(is_active=True).select_related(
            "warehouse"
        )


ReturnLineFormSet = forms.formset_factory(ReturnLineForm, extra=0)


class ScanForm(forms.Form):
    bin_code = forms.CharField(max_length=40, label="Scan the bin")
    item_code = forms.CharField(max_length=64, label="Scan the item")
    quantity = forms.DecimalField(max_digits=14, decimal_places=3, required=False, min_value=0)


class TrackingCsvForm(forms.Form):
    file = forms.FileField(
        label="Tracking CSV",
        help_text="Columns: order, carrier, tracking_number (service, weight_kg optional).",
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = SalesSettings
        fields = [
            "order_prefix",
            "invoice_prefix",
            "shipment_prefix",
            "return_prefix",
            "credit_note_prefix",
            "allocation_rule",
            "default_warehouse",
            "default_tax_rate",
            "tax_rounding",
            "default_handling_days",
        ]
        labels = {"default_handling_days": "Handling days (promised ship date)"}
