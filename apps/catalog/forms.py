from __future__ import annotations

from decimal import Decimal

from django import forms

from apps.catalog.models import Category, Product


def parse_options(text: str) -> dict:
    """ "size=M, colour=Red" -> {"size": "M", "colour": "Red"}"""
    options = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise forms.ValidationError(
                f"Write each option as name=value (“{part.strip()}” has no “=”)."
            )
        name, value = (p.strip() for p in part.split("=", 1))
        if not name or not value:
            raise forms.ValidationError("Each option needs a name and a value, like size=M.")
        options[name.lower()] = value
    return options


class ProductForm(forms.Form):
    name = forms.CharField(max_length=200)
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), required=False, empty_label="No category"
    )
    brand = forms.CharField(max_length=120, required=False)
    unit = forms.ChoiceField(
        choices=Product.Unit.choices, initial=Product.Unit.EACH, label="Unit of measure"
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    sku = forms.CharField(max_length=64, label="SKU", help_text="Unique across your catalog.")
    barcode = forms.CharField(
        max_length=64, required=False, help_text="EAN-13, UPC-A or Code 128. Optional."
    )
    cost_price = forms.DecimalField(
        min_value=Decimal(0), max_digits=14, decimal_places=4, initial=Decimal(0)
    )
    sale_price = forms.DecimalField(
        min_value=Decimal(0), max_digits=14, decimal_places=2, initial=Decimal(0)
    )


class VariantForm(forms.Form):
    sku = forms.CharField(max_length=64, label="SKU")
    barcode = forms.CharField(max_length=64, required=False)
    options = forms.CharField(required=False, help_text="For example: size=M, colour=Red")
    cost_price = forms.DecimalField(
        min_value=Decimal(0), max_digits=14, decimal_places=4, initial=Decimal(0)
    )
    sale_price = forms.DecimalField(
        min_value=Decimal(0), max_digits=14, decimal_places=2, initial=Decimal(0)
    )

    def clean_options(self):
        return parse_options(self.cleaned_data["options"])


class SupplierForm(forms.Form):
    name = forms.CharField(max_length=200)
    contact_name = forms.CharField(max_length=120, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    currency = forms.CharField(
        max_length=3, initial="USD", help_text="ISO code, e.g. USD, EUR, GBP."
    )
    payment_terms_days = forms.IntegerField(
        min_value=0, max_value=365, initial=30, label="Payment terms (days)"
    )
    default_lead_time_days = forms.IntegerField(
        min_value=0, max_value=365, initial=14, label="Lead time (days)"
    )
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=120)
    parent = forms.ModelChoiceField(
        queryset=Category.objects.order_by("path"), required=False, empty_label="Top level"
    )
