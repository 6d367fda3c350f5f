"""Reads on the catalog that pages, the API and other apps share."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from apps.catalog.models import Category, Product, ProductImage, Supplier, SupplierItem, Variant

# Fuzzy name matching (“shoos” finds “Shoes”) through pg_trgm's ``%>`` operator, registered on
# this one field so the app does not need django.contrib.postgres installed.
Product._meta.get_field("name").register_lookup(TrigramWordSimilar)

QTY = DecimalField(max_digits=14, decimal_places=3)
PRODUCT_SORTS = {
    "name": "name",
    "sku": "first_sku",
    "category": "category__name",
    "brand": "brand",
    "variants": "variant_count",
    "price": "min_price",
    "on_hand": "on_hand",
    "updated": "updated_at",
}
STOCK_STATUSES = {"in": "In stock", "low": "Low (at or below reorder point)", "out": "Out of stock"}
ZERO_QTY = Value(Decimal(0), output_field=QTY)
SEARCH_ID_LIMIT = 2000


def products_list(
    *,
    search: str = "",
    category_id: int | None = None,
    supplier_id: int | None = None,
    stock: str = "",
    tag: str = "",
    status: str = "active",
    sort: str = "name",
    similar: bool = False,
) -> QuerySet[Product]:
    """Products with variant count, first SKU, lowest price, total on hand and first image,
    in one query whatever the number of rows (exports; pages use ``products_pages``).

    Every figure is a correlated subquery rather than a JOIN + GROUP BY: PostgreSQL then
    computes them only for the rows it returns (unless the sort needs them), and ``count()``
    drops them altogether."""
    qs = _with_figures(
        _products_filtered(
            search=search,
            similar=similar,
            status=status,
            category_id=category_id,
            supplier_id=supplier_id,
            tag=tag,
        )
    )
    if stock in ("in", "out"):
        qs = qs.filter(**{"on_hand__gt" if stock == "in" else "on_hand__lte": 0})
    elif stock == "low":
        qs = qs.filter(_has_low_variant())
    return qs.order_by(*_ordering(sort))


def products_pages(
    *,
    search: str = "",
    category_id: int | None = None,
    supplier_id: int | None = None,
    stock: str = "",
    tag: str = "",
    status: str = "active",
    sort: str = "name",
    similar: bool = False,
) -> ProductPages:
    """The same list for a ``Paginator``: the filters and the sort key decide the page's
    ids in one narrow query, and the figures are computed for those rows only (both in one
    statement). Sorting or filtering on a figure aggregates it once for every product —
    one hash join and GROUP BY over variants and their kept on-hand totals
    (``VariantCost.quantity``) — instead of a correlated subquery per product."""
    narrow = _products_filtered(
        search=search,
        similar=similar,
        status=status,
        category_id=category_id,
        supplier_id=supplier_id,
        tag=tag,
        search_once=True,
    )
    field = PRODUCT_SORTS.get((sort or "").lstrip("-"), "name")
    needed = {field} | ({"on_hand"} if stock in ("in", "out") else set())
    aggregates = {
        "variant_count": Count("variants"),
        "first_sku": Min("variants__sku"),
        "min_price": Min("variants__sale_price"),
        "on_hand": Coalesce(Sum("variants__cost__quantity"), ZERO_QTY),
    }
    if stock in ("in", "out"):
        narrow = narrow.annotate(on_hand=aggregates["on_hand"]).filter(
            **{"on_hand__gt" if stock == "in" else "on_hand__lte": 0}
        )
    elif stock == "low":
        narrow = narrow.filter(_has_low_variant())
    # The count needs no sort key (an aggregate there would GROUP BY for nothing).
    counted = narrow
    narrow = narrow.annotate(**{k: v for k, v in aggregates.items() if k in needed - {"on_hand"}})
    if "on_hand" in needed and stock not in ("in", "out"):
        narrow = narrow.annotate(on_hand=aggregates["on_hand"])
    return ProductPages(narrow.order_by(*_ordering(sort)), counted, sort)


class ProductPages:
    """A sliceable list for ``Paginator``. PostgreSQL evaluates a SELECT list's subqueries for
    every row an OFFSET skips (page 40 computed the figures of 1,000 products), so the page's
    ids come from the narrow query and only its 25 rows get their figures."""

    ordered = True

    def __init__(self, narrow: QuerySet[Product], counted: QuerySet[Product], sort: str):
        self._narrow, self._counted, self._sort = narrow, counted, sort

    def count(self) -> int:
        return self._counted.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> QuerySet[Product]:
        ids = self._narrow.values("pk")[key]
        return _with_figures(Product.objects.filter(pk__in=Subquery(ids))).order_by(
            *_ordering(self._sort)
        )


def _products_filtered(
    *,
    search: str,
    similar: bool,
    status: str,
    category_id: int | None,
    supplier_id: int | None,
    tag: str,
    search_once: bool = False,
) -> QuerySet[Product]:
    qs = Product.objects.all()
    search = (search or "").strip()[:100]
    if search and similar:
        # Names like it (a typo: "sandl" → "sandal"), for when nothing contains the text.
        qs = qs.filter(name__trigram_word_similar=search)
    elif search and search_once:
        # A page counts and then slices: look the text up once, not in both queries
        # (unless it matches so much that a list of ids would be the bigger cost).
        ids = list(_search_ids(search)[: SEARCH_ID_LIMIT + 1].values_list("pk", flat=True))
        qs = qs.filter(pk__in=ids if len(ids) <= SEARCH_ID_LIMIT else _search_ids(search))
    elif search:
        qs = qs.filter(pk__in=_search_ids(search))
    if category_id:
        category = Category.objects.filter(pk=category_id).first()
        if category is not None:
            qs = qs.filter(category__path__startswith=category.path)
        else:
            qs = qs.none()
    if supplier_id:
        qs = qs.filter(
            Exists(
                SupplierItem.objects.filter(
                    variant__product=OuterRef("pk"), supplier_id=supplier_id
                )
            )
        )
    if tag:
        qs = qs.filter(tags__contains=[tag.strip().lower()])
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "archived":
        qs = qs.filter(is_active=False)
    return qs


def _with_figures(qs: QuerySet[Product]) -> QuerySet[Product]:
    from apps.inventory.models import VariantCost

    def first(rows, field):
        return Subquery(rows.order_by(field, "pk").values(field)[:1])

    variants = Variant.objects.filter(product=OuterRef("pk"))
    # The ledger keeps each variant's on hand across locations in VariantCost.quantity.
    on_hand = (
        VariantCost.objects.filter(variant__product=OuterRef("pk"))
        .order_by()
        .values("variant__product")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    variant_count = variants.order_by().values("product").annotate(n=Count("pk")).values("n")
    first_image = ProductImage.objects.filter(product=OuterRef("pk"))
    return qs.select_related("category").annotate(
        variant_count=Coalesce(Subquery(variant_count), Value(0)),
        first_sku=first(variants, "sku"),
        min_price=first(variants, "sale_price"),
        on_hand=Coalesce(Subquery(on_hand, output_field=QTY), ZERO_QTY),
        image_id=Subquery(first_image.order_by("position", "pk").values("pk")[:1]),
    )


def _has_low_variant() -> Exists:
    """Some variant at or below its reorder point (a variant never moved holds 0)."""
    return Exists(
        Variant.objects.filter(product=OuterRef("pk"), reorder_point__gt=0).filter(
            Q(cost__isnull=True) | Q(cost__quantity__lte=F("reorder_point"))
        )
    )


def _ordering(sort: str) -> list:
    descending = (sort or "").startswith("-")
    field = PRODUCT_SORTS.get((sort or "").lstrip("-"), "name")
    return [F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True), "pk"]


def _search_ids(search: str):
    """Ids of products whose name, brand, SKU, barcode or supplier SKU contains ``search``: a
    UNION of queries that can each use a trigram index (one OR across tables could not)."""
    by_product = Product.objects.filter(Q(name__icontains=search) | Q(brand__icontains=search))
    by_variant = Variant.objects.filter(Q(sku__icontains=search) | Q(barcode__icontains=search))
    by_supplier_sku = SupplierItem.objects.filter(supplier_sku__icontains=search)
    return (
        by_product.order_by()
        .values("pk")
        .union(
            by_variant.order_by().values("product_id"),
            by_supplier_sku.order_by().values("variant__product_id"),
        )
    )


def variant_by_code(code: str) -> Variant | None:
    """What a scan box finds: the variant with this barcode, else with this SKU (any case).
    Used by product search, counts, receiving and picking."""
    code = (code or "").strip()
    if not code or len(code) > 64:
        return None
    qs = Variant.objects.select_related("product")
    return qs.filter(barcode=code).first() or qs.filter(sku__iexact=code).first()


def categories_with_counts() -> list[Category]:
    """The whole tree in path order, each with ``own`` (products directly in it) and ``total``
    (its whole subtree): one query, then one pass adding each count to its ancestors."""
    categories = list(Category.objects.annotate(own=Count("products")).order_by("path"))
    by_id = {c.pk: c for c in categories}
    for category in categories:
        category.total = 0
    for category in categories:
        for part in category.path.strip("/").split("/"):
            ancestor = by_id.get(int(part)) if part else None
            if ancestor is not None:
                ancestor.total += category.own
    return categories


def category_choices() -> list[Category]:
    """Categories in tree order with an indented label, for pickers."""
    categories = list(Category.objects.order_by("path").only("pk", "name", "depth", "path"))
    for category in categories:
        category.label = "— " * category.depth + category.name
    return categories


def breadcrumbs(category: Category) -> list[Category]:
    ids = [int(part) for part in category.path.strip("/").split("/") if part]
    by_id = Category.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


SUPPLIER_SORTS = {
    "name": "name",
    "contact": "contact_name",
    "currency": "currency",
    "terms": "payment_terms_days",
    "lead_time": "default_lead_time_days",
    "items": "item_count",
}


def suppliers_list(*, search: str = "", status: str = "active", sort: str = "name") -> QuerySet:
    qs = Supplier.objects.annotate(item_count=Count("items"))
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(email__icontains=search)
            | Q(contact_name__icontains=search)
            | Q(phone__icontains=search)
        )
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "archived":
        qs = qs.filter(is_active=False)
    descending = (sort or "").startswith("-")
    field = SUPPLIER_SORTS.get((sort or "").lstrip("-"), "name")
    return qs.order_by(("-" if descending else "") + field, "pk")


def supplier_items(supplier: Supplier) -> QuerySet[SupplierItem]:
    return (
        SupplierItem.objects.filter(supplier=supplier)
        .select_related("variant__product")
        .order_by("variant__sku")
    )
