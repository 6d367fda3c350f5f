"""Forms of the customer pages. They only parse input; the services validate and write."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from apps.inventory.models import Warehouse
from apps.sales.customers.contacts import AddressData
from apps.sales.customers.services import CustomerData
from apps.sales.models import Customer, CustomerAddress, CustomerNote, PriceTier


class CustomerForm(forms.Form):
    kind = forms.ChoiceField(choices=Customer.Kind.choices, initial=Customer.Kind.COMPANY)
    name = forms.CharField(max_length=200)
    email = forms.CharField(max_length=254, required=False, widget=forms.EmailInput())
    phone = forms.CharField(
        max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    tax_id = forms.CharField(label="Tax ID", max_length=40, required=False)
    price_tier = forms.ModelChoiceField(
        queryset=PriceTier.objects.none(),
        required=False,
        empty_label="None (selling price)",
        help_text="Empty on a new customer: the default tier, if one is set.",
    )
    currency = forms.CharField(
        max_length=3,
        initial="USD",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 4}),
    )
    payment_terms_days = forms.IntegerField(
        label="Payment terms (days)", min_value=0, max_value=3650, initial=30
    )
    preferred_warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.none(),
        required=False,
        empty_label="Company allocation rule",
        help_text="Orders reserve stock here first.",
    )
    tags = forms.CharField(
        required=False, max_length=1000, help_text="Separate tags with commas, e.g. wholesale, vip."
    )
    marketing_consent = forms.BooleanField(
        required=False, label="Agreed to receive marketing email"
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price_tier"].queryset = PriceTier.objects.order_by("name")
        self.fields["preferred_warehouse"].queryset = Warehouse.objects.filter(
            is_active=True
        ).order_by("code")

    @staticmethod
    def initial_for(customer: Customer) -> dict:
        return {
            "kind": customer.kind,
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "tax_id": customer.tax_id,
            "price_tier": customer.price_tier_id,
            "currency": customer.currency,
            "payment_terms_days": customer.payment_terms_days,
            "preferred_warehouse": customer.preferred_warehouse_id,
            "tags": ", ".join(customer.tags or []),
            "marketing_consent": customer.marketing_consent,
            "notes": customer.notes,
        }

    def to_data(self) -> CustomerData:
        d = self.cleaned_data
        return CustomerData(
            name=d["name"],
            kind=d["kind"],
            email=d["email"],
            phone=d["phone"],
            tax_id=d["tax_id"],
            price_tier=d["price_tier"],
            currency=d["currency"],
            payment_terms_days=d["payment_terms_days"],
            preferred_warehouse=d["preferred_warehouse"],
            notes=d["notes"],
            tags=d["tags"],
            marketing_consent=d["marketing_consent"],
        )


class ContactForm(forms.Form):
    name = forms.CharField(max_length=120)
    role = forms.CharField(max_length=80, required=False, help_text="e.g. Buyer, Accounts.")
    email = forms.CharField(max_length=254, required=False, widget=forms.EmailInput())
    phone = forms.CharField(
        max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    is_primary = forms.BooleanField(required=False, label="Primary contact")


class AddressForm(forms.Form):
    kind = forms.ChoiceField(choices=CustomerAddress.Kind.choices)
    name = forms.CharField(
        max_length=120, required=False, label="Addressee", help_text="If not the customer."
    )
    line1 = forms.CharField(max_length=200, label="Street address")
    line2 = forms.CharField(max_length=200, required=False, label="Address line 2")
    city = forms.CharField(max_length=100)
    region = forms.CharField(max_length=100, required=False, label="State or region")
    postal_code = forms.CharField(max_length=20, required=False)
    country = forms.CharField(
        max_length=60,  # the service explains a wrong length in words
        help_text="Two-letter code, e.g. US, DE, GB.",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 3}),
    )
    is_default = forms.BooleanField(required=False, label="Default address of this kind")

    def to_data(self) -> AddressData:
        return AddressData(**self.cleaned_data)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(CustomerNote.Kind.NOTE, "Note"), (CustomerNote.Kind.CALL, "Call")],
        initial=CustomerNote.Kind.NOTE,
    )
    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}))


class EmailForm(forms.Form):
    to = forms.CharField(
        max_length=1000, help_text="Separate several addresses with commas.", label="To"
    )
    subject = forms.CharField(max_length=200)
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 8}))


class PriceTierForm(forms.Form):
    name = forms.CharField(max_length=60)
    discount_percent = forms.DecimalField(
        label="Discount %",
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        help_text="Off the variant's selling price.",
    )
    is_default = forms.BooleanField(
        required=False, label="Default tier", help_text="Given to new customers without a tier."
    )
