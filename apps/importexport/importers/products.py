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


VARIANT_FIELDS = (
    "cost_price",
    "sale_price",
    "weight_kg",
    "reorder_point",
    "reorder_quantity",
    "safety_stock",
    "lead_time_days",
    "is_active",
)


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
            .select_related("product")
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
        self.new_products: set[str] = set()  # lower-cased names the file creates
        self.created_products: dict[str, Product] = {}
        self.new_categories: set[tuple[str, ...]] = set()

    # --- planning -------------------------------------------------------------------

    def plan(self, row: Row) -> RowPlan:
        data = self._read(row)
        sku = data["sku"]
        if sku:
            self.seen_skus.setdefault(sku, row.number)
        if data["barcode"]:
            self.seen_barcodes.setdefault(data["barcode"], row.number)
        if row.errors:
            return RowPlan(row.number, "error", key=sku, errors=row.errors)
        changes: list[list[str]] = []
        names = data["category_names"]
        category_key = tuple(n.lower() for n in names) if names else None
        if category_key and category_key not in self.categories:
            if category_key not in self.new_categories:
                self.new_categories.add(category_key)
                changes.append(["new category", "", data["category_text"]])
        variant = self.variants.get(sku)
        if variant is None:
            changes += self._new_variant_changes(data)
            return RowPlan(row.number, "create", key=sku, changes=changes, data=data)
        changes += self._update_changes(variant, data)
        data["variant"] = variant
        action = "update" if changes else "unchanged"
        return RowPlan(row.number, action, key=sku, changes=changes, data=data)

    def _read(self, row: Row) -> dict:
        """Every cell parsed and checked; problems recorded on the row."""
        sku = (row.text("sku", max_length=64) or "").upper()
        if not sku and not row.errors:
            row.error("sku", "Enter a SKU.")
        elif sku in self.seen_skus:
            first = self.seen_skus[sku]
            row.error("sku", f"SKU {sku} appears twice in the file (first on row {first}).")
        name = row.text("product", max_length=200)
        data = {
            "sku": sku,
            "name": name,
            "options": parse_options(row.get("options"), row) if row.get("options") else None,
            "barcode": self._barcode(row, sku),
            "unit": self._unit(row),
            "supplier": self._supplier(row),
            "product": None,
            "product_values": {
                "brand": row.text("brand", max_length=120),
                "description": row.get("description"),
            },
            "values": {
                "cost_price": row.decimal("cost_price", minimum=ZERO, places=4),
                "sale_price": row.decimal("sale_price", minimum=ZERO, places=2),
                "weight_kg": row.decimal("weight_kg", minimum=ZERO, places=3),
                "reorder_point": row.decimal("reorder_point", minimum=ZERO, places=3),
                "reorder_quantity": row.decimal("reorder_quantity", minimum=ZERO, places=3),
                "safety_stock": row.decimal("safety_stock", minimum=ZERO, places=3),
                "lead_time_days": row.integer("lead_time_days"),
                "is_active": row.boolean("active"),
            },
            "supplier_values": {
                "supplier_sku": row.text("supplier_sku", max_length=64),
                "cost": row.decimal("supplier_cost", minimum=ZERO, places=4),
            },
        }
        data["category_names"], data["category_text"] = self._category_path(row)
        if sku and sku not in self.variants:
            data["product"] = self._product_for_new_sku(row, sku, name)
        return data

    def _barcode(self, row: Row, sku: str) -> str | None:
        barcode = row.text("barcode", max_length=64)
        if not barcode:
            return barcode
        problem = barcode_problem(barcode)
        owner = self.barcode_owner.get(barcode)
        if problem:
            row.error("barcode", problem)
        elif owner is not None and owner.upper() != sku:
            row.error("barcode", f"Barcode {barcode} already belongs to SKU {owner}.")
        elif barcode in self.seen_barcodes:
            first = self.seen_barcodes[barcode]
            row.error(
                "barcode", f"Barcode {barcode} appears twice in the file (first on row {first})."
            )
        return barcode

    def _category_path(self, row: Row) -> tuple[tuple[str, ...] | None, str | None]:
        text = row.get("category")
        if not text:
            return None, None
        names = tuple(part.strip() for part in text.split(CATEGORY_SEPARATOR))
        if not all(names) or any(len(n) > 120 for n in names):
            row.error(
                "category",
                "Write the category path like “Footwear > Running”: "
                "no empty levels, each up to 120 characters.",
            )
            return None, None
        return names, f" {CATEGORY_SEPARATOR} ".join(names)

    def _unit(self, row: Row) -> str | None:
        text = row.get("unit")
        if not text:
            return None
        unit = UNITS.get(text.lower())
        if unit is None:
            row.error("unit", f"“{text}” is not a unit: use each, kg, m, l or box.")
        return unit

    def _supplier(self, row: Row) -> Supplier | None:
        name = row.get("supplier")
        if not name:
            if row.get("supplier_sku") or row.get("supplier_cost"):
                row.error("supplier", "Name the supplier that the supplier SKU and cost belong to.")
            return None
        supplier = self.suppliers.get(name.lower())
        if supplier is None:
            row.error("supplier", f"No supplier is called “{name}”. Import or add suppliers first.")
        return supplier

    def _product_for_new_sku(self, row: Row, sku: str, name: str | None) -> Product | None:
        """The existing product a new SKU joins; None when the file creates it."""
        if not name:
            row.error("product", f"Name the product for the new SKU {sku}.")
            return None
        existing = self.products_by_name.get(name.lower(), [])
        if len(existing) > 1:
            row.error(
                "product",
                f"{len(existing)} products are called “{name}”; "
                f"add SKU {sku} to the right one in the app.",
            )
            return None
        return existing[0] if existing else None

    def _new_variant_changes(self, data: dict) -> list[list[str]]:
        name = data["name"]
        changes = []
        if data["product"] is None and name.lower() not in self.new_products:
            self.new_products.add(name.lower())
            changes.append(["new product", "", name])
        else:
            changes.append(["product", "", name])
        given = {
            "options": data["options"],
            "barcode": data["barcode"],
            "category": data["category_text"],
            "unit": data["unit"],
            **data["product_values"],
            **data["values"],
        }
        changes += [[k, "", shown(v)] for k, v in given.items() if v not in (None, "", {})]
        if data["supplier"]:
            changes.append(["supplier", "", data["supplier"].name])
        return changes

    def _update_changes(self, variant: Variant, data: dict) -> list[list[str]]:
        product = variant.product
        changes: list[list[str]] = []
        diff(changes, "product", product.name, data["name"])
        diff(changes, "options", variant.options, data["options"])
        diff(changes, "barcode", variant.barcode, data["barcode"])
        if data["category_text"]:
            old = self.category_text.get(product.category_id, "")
            if old.lower() != data["category_text"].lower():
                changes.append(["category", old, data["category_text"]])
        diff(changes, "unit", product.unit, data["unit"])
        for field, value in data["product_values"].items():
            diff(changes, field, getattr(product, field), value)
        for field in VARIANT_FIELDS:
            diff(changes, field, getattr(variant, field), data["values"][field])
        supplier = data["supplier"]
        if supplier:
            item = self.supplier_items.get((supplier.pk, variant.pk))
            if item is None:
                changes.append(["supplier", "", supplier.name])
            else:
                values = data["supplier_values"]
                diff(changes, "supplier_sku", item.supplier_sku, values["supplier_sku"])
                diff(changes, "supplier_cost", item.cost, values["cost"])
        return changes

    # --- writing ----------------------------------------------------------------------

    def apply(self, plan: RowPlan) -> None:
        data = plan.data
        values = {k: v for k, v in data["values"].items() if v is not None}
        product_values = {k: v for k, v in data["product_values"].items() if v is not None}
        if data["unit"]:
            product_values["unit"] = data["unit"]
        if data["category_names"]:
            product_values["category"] = catalog_writes.category_path_ensure(
                data["category_names"], self.categories
            )
        if plan.action == "create":
            variant = self._create(data, values, product_values)
        else:
            variant = data["variant"]
            if data["name"]:
                product_values["name"] = data["name"]
            if data["options"] is not None:
                values["options"] = data["options"]
            if data["barcode"]:
                values["barcode"] = data["barcode"]
            catalog_writes.fields_update(variant.product, product_values)
            catalog_writes.fields_update(variant, values)
        if data["supplier"] is not None:
            catalog_writes.supplier_item_upsert(
                supplier=data["supplier"],
                variant=variant,
                values={k: v for k, v in data["supplier_values"].items() if v is not None},
            )

    def _create(self, data: dict, values: dict, product_values: dict) -> Variant:
        """A new SKU through the catalog's services: a new product with it, or a variant of
        the product it joins (whose product-level columns then update that product)."""
        key = data["name"].lower()
        product = data["product"] or self.created_products.get(key)
        prices = {k: values.pop(k) for k in ("cost_price", "sale_price") if k in values}
        common = {"sku": data["sku"], "barcode": data["barcode"] or "", "options": data["options"]}
        if product is None:
            product = product_create(name=data["name"], **product_values, **common, **prices)
            self.created_products[key] = product
            variant = product.variants.get()
        else:
            variant = variant_create(product=product, **common, **prices)
            catalog_writes.fields_update(product, product_values)
        catalog_writes.fields_update(variant, values)
        return variant


def product_rows(products=None):
    """Every variant (of ``products``, a queryset, when given) as an import row: one query
    per 1,000 variants plus two."""
    paths = category_paths()
    qs = Variant.objects.all()
    if products is not None:
        qs = qs.filter(product__in=products.values("pk"))
    qs = (
        qs.select_related("product")
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
