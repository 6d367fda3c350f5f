from __future__ import annotations

from decimal import Decimal

from django import forms

from apps.catalog.models import Category, Product, Supplier, Variant


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


def format_options(options: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in (options or {}).items())


def parse_axes(text: str) -> list[dict]:
    """One option per line, "size: S, M, L" -> [{"name": "size", "values": ["S", "M", "L"]}]."""
    axes = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        if ":" not in line:
            raise forms.ValidationError(
                f"Line {number}: write the option name, a colon, then its values "
                "(for example “size: S, M, L”)."
            )
        name, values = line.split(":", 1)
        axes.append(
            {"name": name.strip(), "values": [v.strip() for v in values.split(",") if v.strip()]}
        )
    return axes


def format_axes(axes: list[dict]) -> str:
    return "\n".join(f"{a['name']}: {', '.join(a['values'])}" for a in axes or [])


class CategoryChoiceField(forms.ModelChoiceField):
    """Categories in tree order, indented by depth so the tree reads in a plain select."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Category.objects.order_by("path"))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Category) -> str:
        return "— " * obj.depth + obj.name


def _category_field():
    return CategoryChoiceField(empty_label="No category")


MONEY4 = {"min_value": Decimal(0), "max_digits": 14, "decimal_places": 4}
MONEY2 = {"min_value": Decimal(0), "max_digits": 14, "decimal_places": 2}
QTY = {"min_value": Decimal(0), "max_digits": 14, "decimal_places": 3, "required": False}
DIM = {"min_value": Decimal(0), "max_digits": 10, "decimal_places": 2, "required": False}


class ProductFieldsForm(forms.Form):
    name = forms.CharField(max_length=200)
    category = _category_field()
    brand = forms.CharField(max_length=120, required=False)
    unit = forms.ChoiceField(
        choices=Product.Unit.choices, initial=Product.Unit.EACH, label="Unit of measure"
    )
    tax_class = forms.CharField(
        max_length=40, initial="standard", required=False, label="Tax class"
    )
    tags = forms.CharField(
        max_length=800, required=False, help_text="Separate tags with commas: outdoor, sale"
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean_tags(self):
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class ProductForm(ProductFieldsForm):
    """New product with its first variant."""

    sku = forms.CharField(
        max_length=64,
        label="SKU",
        required=False,
        help_text="Unique across your catalog. Leave blank to generate one from your SKU pattern.",
    )
    barcode = forms.CharField(
        max_length=64, required=False, help_text="EAN-13, UPC-A or Code 128. Optional."
    )
    cost_price = forms.DecimalField(initial=Decimal(0), **MONEY4)
    sale_price = forms.DecimalField(initial=Decimal(0), label="Selling price", **MONEY2)


class VariantForm(forms.Form):
    sku = forms.CharField(
        max_length=64, label="SKU", required=False, help_text="Leave blank to generate one."
    )
    barcode = forms.CharField(max_length=64, required=False, help_text="EAN-13, UPC-A or Code 128.")
    options = forms.CharField(required=False, help_text="For example: size=M, colour=Red")
    cost_price = forms.DecimalField(initial=Decimal(0), **MONEY4)
    sale_price = forms.DecimalField(initial=Decimal(0), label="Selling price", **MONEY2)

    def clean_options(self):
        return parse_options(self.cleaned_data["options"])


class VariantEditForm(VariantForm):
    sku = forms.CharField(max_length=64, label="SKU", help_text="Unique across your catalog.")
    weight_kg = forms.DecimalField(
        label="Weight (kg)", min_value=Decimal(0), max_digits=10, decimal_places=3, required=False
    )
    length_cm = forms.DecimalField(label="Length (cm)", **DIM)
    width_cm = forms.DecimalField(label="Width (cm)", **DIM)
    height_cm = forms.DecimalField(label="Height (cm)", **DIM)
    reorder_point = forms.DecimalField(**QTY)
    reorder_quantity = forms.DecimalField(**QTY)
    safety_stock = forms.DecimalField(**QTY)
    lead_time_days = forms.IntegerField(
        min_value=0,
        max_value=3650,
        required=False,
        label="Lead time (days)",
        help_text="Overrides the supplier's lead time. Blank: use the supplier's.",
    )
    is_active = forms.BooleanField(required=False, label="Active (sold and reordered)")

    @classmethod
    def for_variant(cls, variant: Variant, data=None):
        initial = {
            name: getattr(variant, name) for name in cls.base_fields if name != "options"
        } | {"options": format_options(variant.options)}
        return cls(data, initial=initial, prefix=f"v{variant.pk}")

    def clean(self):
        data = super().clean()
        for name in ("reorder_point", "reorder_quantity", "safety_stock"):
            if name in data and data[name] is None:
                data[name] = Decimal(0)
        return data


class OptionAxesForm(forms.Form):
    axes = forms.CharField(
        label="Values per option",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One option per line: “size: S, M, L”, then “colour: Red, Blue”.",
    )
    cost_price = forms.DecimalField(
        initial=Decimal(0), required=False, help_text="For new variants.", **MONEY4
    )
    sale_price = forms.DecimalField(
        initial=Decimal(0),
        required=False,
        label="Selling price",
        help_text="For new variants.",
        **MONEY2,
    )

    def clean_axes(self):
        return parse_axes(self.cleaned_data["axes"])


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


class SupplierItemForm(forms.Form):
    variant_code = forms.CharField(
        max_length=64, label="Variant SKU or barcode", help_text="Scan or type it."
    )
    supplier_sku = forms.CharField(max_length=64, required=False, label="Supplier's SKU")
    cost = forms.DecimalField(initial=Decimal(0), **MONEY4)
    minimum_order_quantity = forms.DecimalField(
        min_value=Decimal("0.001"),
        max_digits=14,
        decimal_places=3,
        initial=Decimal(1),
        label="Minimum order quantity",
    )
    pack_size = forms.DecimalField(
        min_value=Decimal("0.001"), max_digits=14, decimal_places=3, initial=Decimal(1)
    )
    lead_time_days = forms.IntegerField(
        min_value=0, max_value=365, required=False, label="Lead time (days)",
        help_text="Blank: the supplier's default.",
    )  # fmt: skip
    is_preferred = forms.BooleanField(required=False, label="Preferred supplier for this variant")

    def clean_variant_code(self):
        from apps.catalog.selectors import variant_by_code

        code = self.cleaned_data["variant_code"]
        variant = variant_by_code(code)
        if variant is None:
            raise forms.ValidationError(f"No variant has the SKU or barcode {code}.")
        self.cleaned_data["variant"] = variant
        return code


class SupplierItemEditForm(SupplierItemForm):
    variant_code = None


class VariantSupplierForm(SupplierItemForm):
    """From a product's page: which supplier sells which of its variants."""

    variant_code = None
    field_order = ["variant", "supplier"]

    def __init__(self, *args, product: Product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variant"] = forms.ModelChoiceField(
            queryset=product.variants.order_by("sku"), empty_label=None
        )
        self.fields["supplier"] = forms.ModelChoiceField(
            queryset=Supplier.objects.filter(is_active=True).order_by("name"),
            empty_label="Choose a supplier",
        )
        # "SKU" alone stays the variant form's label on the same page.
        self.fields["supplier_sku"].label = "Supplier's item code"
        self.order_fields(self.field_order)


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=120)
    parent = CategoryChoiceField(empty_label="Top level")


class CategoryMoveForm(forms.Form):
    parent = CategoryChoiceField(empty_label="Top level", label="Move under")


class CatalogSettingsForm(forms.Form):
    sku_pattern = forms.CharField(
        max_length=80,
        label="SKU pattern",
        help_text="Tokens: {CAT} category, {NAME} product name, {BRAND} brand, {OPT} option "
        "values, {SEQ} the next number. Example: {CAT}-{NAME}-{OPT}-{SEQ}",
    )
    sku_sequence_width = forms.IntegerField(
        min_value=1, max_value=10, label="Digits in {SEQ}", help_text="4 gives 0001, 0002 …"
    )


class ImageUploadForm(forms.Form):
    image = forms.FileField(help_text="JPEG, PNG, WebP or GIF, at most 10 MB.")
    alt_text = forms.CharField(
        max_length=200,
        required=False,
        label="Description",
        help_text="What the photo shows, for screen readers.",
    )


class SupplierChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Supplier.objects.order_by("name"), **kwargs)
