"""What can be exported: each export's columns match its importer's, so a file that
was exported can be edited and imported back."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from apps.core.htmx import int_param
from apps.importexport.importers.customers import EXPORT_HEADER as CUSTOMER_HEADER
from apps.importexport.importers.customers import customer_rows
from apps.importexport.importers.products import COLUMNS as PRODUCT_COLUMNS
from apps.importexport.importers.products import product_rows
from apps.importexport.importers.stock import STOCK_LEVEL_HEADER, stock_level_rows
from apps.importexport.importers.suppliers import COLUMNS as SUPPLIER_COLUMNS
from apps.importexport.importers.suppliers import supplier_rows


@dataclass(frozen=True)
class Export:
    kind: str
    label: str
    description: str
    capability: str
    header: list[str]
    rows: Callable[[dict], Iterable[Iterable]]  # takes the request's filters


def _products(params) -> Iterable[Iterable]:
    """The products page's search, category and status filters, when the link carries them."""
    from apps.catalog.selectors import products_list

    if not any(params.get(k) for k in ("q", "category", "status")):
        return product_rows()
    products = products_list(
        search=(params.get("q") or "").strip(),
        category_id=int_param(params.get("category")),
        status=params.get("status") or "all",
    )
    return product_rows(products)


def _stock_levels(params) -> Iterable[Iterable]:
    from apps.inventory.selectors import stock_levels

    return stock_level_rows(
        stock_levels(
            search=(params.get("q") or "").strip(),
            warehouse_id=int_param(params.get("warehouse")),
            sort=params.get("sort") or "sku",
        )
    )


EXPORTS = {
    e.kind: e
    for e in (
        Export(
            "products",
            "Products and variants",
            "One row per variant, in the products import's columns (the products page's "
            "search, category and status filters apply).",
            "catalog.view",
            [c.name for c in PRODUCT_COLUMNS],
            _products,
        ),
        Export(
            "suppliers",
            "Suppliers",
            "One row per supplier, in the suppliers import's columns.",
            "catalog.view",
            [c.name for c in SUPPLIER_COLUMNS],
            lambda params: supplier_rows(),
        ),
        Export(
            "stock-levels",
            "Stock levels",
            "On hand, reserved and available per SKU and location (the stock page's search "
            "and warehouse filters apply). Imports back as opening stock without changes.",
            "inventory.view",
            STOCK_LEVEL_HEADER,
            _stock_levels,
        ),
        Export(
            "customers",
            "Customers",
            "One row per customer in the customers import's columns, plus RFM segment and "
            "order figures (the customer list's search and filters apply, so a segment "
            "exports on its own).",
            "reports.export",
            CUSTOMER_HEADER,
            customer_rows,
        ),
    )
}
