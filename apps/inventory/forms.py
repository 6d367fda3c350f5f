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
    lot = forms.CharField(
        max_length=64,
        required=False,
        label="Lot number",
        help_text="For products tracked by lot. Removing stock without a lot takes the first-expiring lots.",
    )
    expiry = forms.DateField(
        required=False,
        label="Expiry date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For a lot received for the first time.",
    )
    serials = forms.CharField(
        required=False,
        label="Serial numbers",
        widget=forms.Textarea(
            attrs={"rows": 2, "spellcheck": "false", "autocapitalize": "characters"}
        ),
        help_text="For products with serial numbers: one per unit, one per line (a scanner can type them).",
    )

    def clean_quantity(self):
        value = self.cleaned_data["quantity"]
        if value == 0:
            raise forms.ValidationError("Enter a quantity other than zero.")
        return value

    def clean_serials(self):
        return tuple(s.strip() for s in self.cleaned_data["serials"].splitlines() if s.strip())

    def check_tracking(self, variant) -> bool:
        """Lots and serial numbers the scanned variant needs when stock is added."""
        data, product = self.cleaned_data, variant.product
        adding = data.get("quantity", 0) > 0
        if product.tracks_lots and adding and not data.get("lot"):
            self.add_error("lot", f"{variant.sku} is tracked by lot: enter the lot number.")
        if product.tracks_serials and adding and not data.get("serials"):
            self.add_error(
                "serials", f"{variant.sku} has serial numbers: enter one per unit added."
            )
        return not self.errors


class TransferForm(forms.Form):
    source_location = forms.ModelChoiceField(
        queryset=Location.objects.filter(is_active=True)
        .exclude(kind="transit")
        .select_related("warehouse")
        .order_by("warehouse__code", "code"),
        label="Take from",
    )
    destination = forms.ModelChoiceField(queryset=None, label="Send to warehouse")
    lines = forms.CharField(
        widget=forms.Textarea(
            attrs={"rows": 5, "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text="One line per item: a barcode or SKU, a space, and the quantity. A scanner can type the codes.",
    )
    note = forms.CharField(max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        from apps.inventory.models import Warehouse

        super().__init__(*args, **kwargs)
        self.fields["destination"].queryset = Warehouse.objects.filter(is_active=True).order_by(
            "code"
        )

    def clean_lines(self):
        from apps.catalog.selectors import variant_by_code

        parsed, problems = [], []
        for number, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not raw.strip():
                continue
            parts = raw.split()
            code, quantity = parts[0], parts[1] if len(parts) > 1 else "1"
            variant = variant_by_code(code)
            try:
                qty = Decimal(quantity)
            except ArithmeticError:
                qty = None
            if variant is None:
                problems.append(f"line {number}: no variant has the code “{code}”")
            elif qty is None or qty <= 0:
                problems.append(f"line {number}: “{quantity}” is not a quantity above zero")
            else:
                parsed.append((variant, qty))
        if problems:
            message = "; ".join(problems)
            raise forms.ValidationError(message[0].upper() + message[1:] + ".")
        if not parsed:
            raise forms.ValidationError("Add at least one line.")
        return parsed


class StockCountForm(forms.Form):
    warehouse = forms.ModelChoiceField(queryset=None)
    zone = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Zone (optional)",
        help_text="Count one location and everything under it instead of the whole warehouse.",
    )
    category = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Category (optional)",
        help_text="Only products in this category and its subcategories.",
    )
    only_in_stock = forms.BooleanField(
        required=False, label="Only items the system says are in stock"
    )
    blind = forms.BooleanField(
        required=False,
        label="Blind count",
        help_text="Counters do not see the system quantity, so they count what is really there.",
    )
    note = forms.CharField(max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        from apps.catalog.models import Category
        from apps.inventory.models import Warehouse

        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True).order_by(
            "code"
        )
        self.fields["zone"].queryset = (
            Location.objects.filter(is_active=True, warehouse__is_active=True)
            .exclude(kind=Location.Kind.TRANSIT)
            .select_related("warehouse")
            .order_by("warehouse__code", "code")
        )
        self.fields["category"].queryset = Category.objects.order_by("path")

    def clean(self):
        data = super().clean()
        zone, warehouse = data.get("zone"), data.get("warehouse")
        if zone and warehouse and zone.warehouse_id != warehouse.pk:
            self.add_error("zone", f"{zone} is not in {warehouse.code}: choose a zone inside it.")
        return data


class ReorderRuleForm(forms.Form):
    code = forms.CharField(
        label="Barcode or SKU",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    reorder_point = forms.DecimalField(max_digits=14, decimal_places=3, min_value=Decimal(0))
    reorder_quantity = forms.DecimalField(
        max_digits=14, decimal_places=3, min_value=Decimal(0), required=False, initial=0
    )
    safety_stock = forms.DecimalField(
        max_digits=14, decimal_places=3, min_value=Decimal(0), required=False, initial=0
    )

    def clean_code(self):
        from apps.catalog.selectors import variant_by_code

        code = self.cleaned_data["code"].strip()
        variant = variant_by_code(code)
        if variant is None:
            raise forms.ValidationError(f"No variant has the barcode or SKU “{code}”.")
        return variant
