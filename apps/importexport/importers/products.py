"""Products and variants, one row per variant: created or updated by SKU."""

from __future__ import annotations

from decimal import Decimal

from django.db.models.functions import Lower, Upper

from apps.catalog.barcodes import barcode_problem
from apps.catalog.models import Category, Product, Supplier, SupplierItem, Variant
from apps.catalog.services import product_create, variant_create
from apps.importexport.importers import catalog_writes
from apps.importexport.importers.base import Column, Importer, Row, RowPlan, diff, shown

ZERO = Decimal("0")
CATEGORY_SEPARATOR = ">"

COLUMNS = (
    Column(
        "product",
        "Product name. A new SKU joins the product of that name, or starts one.",
        "Trail shoe",
        aliases=("product_name", "name"),
    ),
    Column(
        "sku",
        "The variant's SKU: the key. An existing SKU is updated, a new one created.",
        "SHOE-M-RED",
        required=True,
        aliases=("variant_sku",),
    ),
    Column(
        "options",
        "Option values as name=value pairs separated by semicolons.",
        "size=M; colour=Red",
        aliases=("option_values", "variant_options"),
    ),
    Column("barcode", "EAN-13, UPC-A or Code 128.", "4006381333931", aliases=("ean", "upc")),
    Column(
        "category",
        "Category path, levels separated by “>”; missing levels are created.",
        "Footwear > Running",
    ),
    Column("brand", "Brand.", "Stride"),
    Column("unit", "Unit of measure: each, kg, m, l or box.", "each", aliases=("uom",)),
    Column(
        "description",
        "Product description.",
        "",
    ),
    Column("cost_price", "Cost price.", "21.40", aliases=("cost",)),
    Column("sale_price", "Selling price.", "59.00", aliases=("price", "selling_price")),
    Column("weight_kg", "Weight in kilograms.", "0.8", aliases=("weight",)),
    Column("reorder_point", "Reorder point.", "10"),
    Column("reorder_quantity", "Reorder quantity.", "24"),
    Column("safety_stock", "Safety stock.", "4"),
    Column(
        "lead_time_days",
        "Lead time in days (overrides the supplier's).",
        "",
        aliases=("lead_time",),
    ),
    Column("active", "yes or no.", "yes", aliases=("is_active",)),
    Column(
        "supplier",
        "Supplier name (must exist: import suppliers first).",
        "",
        aliases=("supplier_name",),
    ),
    Column("supplier_sku", "The supplier's code for this variant.", ""),
    Column("supplier_cost", "The supplier's price for this variant.", ""),
)

UNITS = {
    **{v: v for v in Product.Unit.values},
    **{str(label).lower(): v for v, label in Product.Unit.choices},
}


def _category_key(category: Category, names_by_id: dict[int, str]) -> tuple[str, ...]:
    ids = [int(p) for p in category.path.strip("/").split("/") if p]
    return tuple(names_by_id.get(i, "") for i in ids)


def category_paths() -> dict[int, str]:
    """Every category's "A > B" path by id (one query), for exports and previews."""
    categories = list(Category.objects.only("id", "name", "path"))
    names = {c.pk: c.name for c in categories}
    return {c.pk: f" {CATEGORY_SEPARATOR} ".join(_category_key(c, names)) for c in categories}


def parse_options(text: str, row: Row) -> dict | None:
    options: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip() or not value.strip():
            row.error(
                "options",
                f"Write options as name=value pairs separated by “;” (got “{part.strip()}”).",
            )
            return None
        options[name.strip()] = value.strip()
    return options


class ProductImporter(Importer):
    kind = "products"
    label = "Products and variants"
    description = "Create or update variants by SKU, with their product, category and supplier."
    capability = "catalog.edit"
    columns = COLUMNS

    def prepare(self, rows: list[Row]) -> None:
        skus = {(r.get("sku") or "").upper() for r in rows} - {""}
        self.variants = {
            v.sku.upper(): v
            for v in Variant.objects.annotate(key=Upper("sku"))
            .filter(key__in=skus)
            .select_related("product__category")
        }
        barcodes = {r.get("barcode") for r in rows} - {None}
        self.barcode_owner = dict(
            Variant.objects.filter(barcode__in=barcodes).values_list("barcode", "sku")
        )
        names = {(r.get("product") or "").lower() for r in rows} - {""}
        self.products_by_name: dict[str, list[Product]] = {}
        for product in Product.objects.annotate(key=Lower("name")).filter(key__in=names):
            self.products_by_name.setdefault(product.name.lower(), []).append(product)
        categories = list(Category.objects.all())
        names_by_id = {c.pk: c.name for c in categories}
        self.categories = {
            tuple(n.lower() for n in _category_key(c, names_by_id)): c for c in categories
        }
        self.category_text = {
            c.pk: f" {CATEGORY_SEPARATOR} ".join(_category_key(c, names_by_id)) for c in categories
        }
        supplier_names = {(r.get("supplier") or "").lower() for r in rows} - {""}
        self.suppliers = {
            s.name.lower(): s
            for s in Supplier.objects.annotate(key=Lower("name")).filter(key__in=supplier_names)
        }
        self.supplier_items = {
            (i.supplier_id, i.variant_id): i
            for i in SupplierItem.objects.filter(variant__in=list(self.variants.values()))
        }
        self.seen_skus: dict[str, int] = {}
        self.seen_barcodes: dict[str, int] = {}
        self.new_products: dict[str, int] = {}  # lower name -> first row that creates it
        self.created_products: dict[str, Product] = {}
        self.new_categories: set[tuple[str, ...]] = set()

    def plan(self, row: Row) -> RowPlan:
        sku = (row.text("sku", max_length=64) or "").upper()
        if not sku and not row.errors:
            row.error("sku", "Enter a SKU.")
        elif sku in self.seen_skus:
            row.error(
                "sku", f"SKU {sku} appears twice in the file (first on row {self.seen_skus[sku]})."
            )
        variant = self.variants.get(sku)
        name = row.text("product", max_length=200)
        options = parse_options(row.get("options"), row) if row.get("options") else None
        barcode = row.text("barcode", max_length=64)
        if barcode:
            problem = barcode_problem(barcode)
            owner = self.barcode_owner.get(barcode)
            if problem:
                row.error("barcode", problem)
            elif owner is not None and owner.upper() != sku:
                row.error("barcode", f"Barcode {barcode} already belongs to SKU {owner}.")
            elif barcode in self.seen_barcodes:
                row.error(
                    "barcode",
                    f"Barcode {barcode} appears twice in the file (first on row {self.seen_barcodes[barcode]}).",
                )
        category_names = None
        if row.get("category"):
            category_names = tuple(p.strip() for p in row.get("category").split(CATEGORY_SEPARATOR))
            if not all(category_names) or any(len(n) > 120 for n in category_names):
                row.error(
                    "category",
                    "Write the category path like “Footwear > Running”: no empty levels, each up to 120 characters.",
                )
                category_names = None
        unit = None
        if row.get("unit"):
            unit = UNITS.get(row.get("unit").lower())
            if unit is None:
                row.error("unit", f"“{row.get('unit')}” is not a unit: use each, kg, m, l or box.")
        supplier = None
        if row.get("supplier"):
            supplier = self.suppliers.get(row.get("supplier").lower())
            if supplier is None:
                row.error(
                    "supplier",
                    f"No supplier is called “{row.get('supplier')}”. Import or add suppliers first.",
                )
        elif row.get("supplier_sku") or row.get("supplier_cost"):
            row.error("supplier", "Name the supplier that the supplier SKU and cost belong to.")
        values = {
            "brand": row.text("brand", max_length=120),
            "description": row.get("description"),
            "cost_price": row.decimal("cost_price", minimum=ZERO, places=4),
            "sale_price": row.decimal("sale_price", minimum=ZERO, places=2),
            "weight_kg": row.decimal("weight_kg", minimum=ZERO, places=3),
            "reorder_point": row.decimal("reorder_point", minimum=ZERO, places=3),
            "reorder_quantity": row.decimal("reorder_quantity", minimum=ZERO, places=3),
            "safety_stock": row.decimal("safety_stock", minimum=ZERO, places=3),
            "lead_time_days": row.integer("lead_time_days"),
            "is_active": row.boolean("active"),
        }
        supplier_values = {
            "supplier_sku": row.text("supplier_sku", max_length=64),
            "cost": row.decimal("supplier_cost", minimum=ZERO, places=4),
        }
        product = None
        if variant is None and sku:
            if not name:
                row.error("product", f"Name the product for the new SKU {sku}.")
            else:
                existing = self.products_by_name.get(name.lower(), [])
                if len(existing) > 1:
                    row.error(
                        "product",
                        f"{len(existing)} products are called “{name}”; add SKU {sku} to the right one in the app.",
                    )
                elif existing:
                    product = existing[0]

        data = {
            "sku": sku,
            "name": name,
            "options": options,
            "barcode": barcode,
            "category_names": category_names,
            "unit": unit,
            "supplier": supplier,
            "values": values,
            "supplier_values": supplier_values,
            "product": product,
        }
        if sku:
            self.seen_skus.setdefault(sku, row.number)
        if barcode:
            self.seen_barcodes.setdefault(barcode, row.number)
        if row.errors:
            return RowPlan(row.number, "error", key=sku, errors=row.errors)

        changes: list[list[str]] = []
        category_key = tuple(n.lower() for n in category_names) if category_names else None
        category_text = f" {CATEGORY_SEPARATOR} ".join(category_names) if category_names else None
        if (
            category_key
            and category_key not in self.categories
            and category_key not in self.new_categories
        ):
            self.new_categories.add(category_key)
            changes.append(["new category", "", category_text])
        if variant is None:
            if product is None and name.lower() not in self.new_products:
                self.new_products[name.lower()] = row.number
                changes.append(["new product", "", name])
            else:
                changes.append(["product", "", name])
            for label, value in (
                ("options", options),
                ("barcode", barcode),
                ("category", category_text),
                ("unit", unit),
            ):
                if value:
                    changes.append([label, "", shown(value)])
            for label, value in values.items():
                if value not in (None, ""):
                    changes.append([label, "", shown(value)])
            if supplier:
                changes.append(["supplier", "", supplier.name])
            return RowPlan(row.number, "create", key=sku, changes=changes, data=data)

        current = variant.product
        diff(changes, "product", current.name, name)
        diff(changes, "options", variant.options, options)
        diff(changes, "barcode", variant.barcode, barcode)
        if category_key:
            old_text = self.category_text.get(current.category_id, "")
            if old_text.lower() != category_text.lower():
                changes.append(["category", old_text, category_text])
        diff(changes, "unit", current.unit, unit)
        diff(changes, "brand", current.brand, values["brand"])
        diff(changes, "description", current.description, values["description"])
        for field in (
            "cost_price",
            "sale_price",
            "weight_kg",
            "reorder_point",
            "reorder_quantity",
            "safety_stock",
            "lead_time_days",
            "is_active",
        ):
            diff(changes, field, getattr(variant, field), values[field])
        if supplier:
            item = self.supplier_items.get((supplier.pk, variant.pk))
            if item is None:
                changes.append(["supplier", "", supplier.name])
            else:
                diff(changes, "supplier_sku", item.supplier_sku, supplier_values["supplier_sku"])
                diff(changes, "supplier_cost", item.cost, supplier_values["cost"])
        data["variant"] = variant
        return RowPlan(
            row.number, "update" if changes else "unchanged", key=sku, changes=changes, data=data
        )

    def _category(self, names):
        return catalog_writes.category_path_ensure(names, self.categories) if names else None

    def apply(self, plan: RowPlan) -> None:
        data = plan.data
        values = {k: v for k, v in data["values"].items() if v is not None}
        category = self._category(data["category_names"])
        if plan.action == "create":
            product = data["product"] or self.created_products.get(data["name"].lower())
            prices = {k: values.pop(k) for k in ("cost_price", "sale_price") if k in values}
            if product is None:
                product = product_create(
                    name=data["name"],
                    category=category,
                    brand=values.pop("brand", ""),
                    unit=data["unit"] or Product.Unit.EACH,
                    description=values.pop("description", ""),
                    sku=data["sku"],
                    barcode=data["barcode"] or "",
                    options=data["options"],
                    **prices,
                )
                self.created_products[data["name"].lower()] = product
                variant = product.variants.get()
            else:
                variant = variant_create(
                    product=product,
                    sku=data["sku"],
                    barcode=data["barcode"] or "",
                    options=data["options"],
                    **prices,
                )
            values.pop("brand", None)
            values.pop("description", None)
            catalog_writes.fields_update(variant, values)
        else:
            variant = data["variant"]
            product = variant.product
            product_values = {k: values.pop(k) for k in ("brand", "description") if k in values}
            if data["name"]:
                product_values["name"] = data["name"]
            if data["unit"]:
                product_values["unit"] = data["unit"]
            if category is not None:
                product_values["category"] = category
            catalog_writes.fields_update(product, product_values)
            if data["options"] is not None:
                values["options"] = data["options"]
            if data["barcode"]:
                values["barcode"] = data["barcode"]
            catalog_writes.fields_update(variant, values)
        if data["supplier"] is not None:
            item_values = {k: v for k, v in data["supplier_values"].items() if v is not None}
            catalog_writes.supplier_item_upsert(
                supplier=data["supplier"], variant=variant, values=item_values
            )


def product_rows():
    """Every variant as an import row (one query per 1,000 variants plus two)."""
    paths = category_paths()
    qs = (
        Variant.objects.select_related("product")
        .prefetch_related("supplier_items__supplier")
        .order_by("product__name", "product_id", "sku")
    )
    for variant in qs.iterator(chunk_size=1000):
        product = variant.product
        items = sorted(variant.supplier_items.all(), key=lambda i: (not i.is_preferred, i.pk))
        item = items[0] if items else None
        yield [
            product.name,
            variant.sku,
            shown(variant.options),
            variant.barcode,
            paths.get(product.category_id, ""),
            product.brand,
            product.unit,
            product.description,
            variant.cost_price,
            variant.sale_price,
            variant.weight_kg,
            variant.reorder_point,
            variant.reorder_quantity,
            variant.safety_stock,
            variant.lead_time_days,
            "yes" if variant.is_active else "no",
            item.supplier.name if item else "",
            item.supplier_sku if item else "",
            item.cost if item else None,
        ]
