from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from apps.catalog.models import Category, Product, Supplier, SupplierItem, Variant
from apps.catalog.services import category_create, product_create, supplier_create, variant_create
from apps.core.exports import xlsx_write
from apps.inventory.models import CostLayer, StockLevel, StockMove, VariantCost
from apps.inventory.warehousing import location_create, warehouse_create

WRITTEN_MODELS = (
    Product,
    Variant,
    Category,
    Supplier,
    SupplierItem,
    StockMove,
    StockLevel,
    VariantCost,
    CostLayer,
)


def table_counts() -> dict[str, int]:
    """Rows in every table an import can write (run inside the tenant's schema)."""
    return {m.__name__: m.objects.count() for m in WRITTEN_MODELS}


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    xlsx_write(buffer, header, rows)
    return buffer.getvalue()


def upload(client, kind: str, content: bytes, name: str = "data.csv"):
    return client.post(
        f"/data/import/{kind}/", {"file": SimpleUploadedFile(name, content)}, follow=False
    )


@pytest.fixture
def catalog(tenant):
    """A category, a supplier and a product with two variants in alpha."""
    with schema_context(tenant.schema_name):
        shoes = category_create(name="Footwear")
        supplier = supplier_create(name="Acme Wholesale", email="orders@acme.test")
        product = product_create(
            name="Trail shoe",
            category=shoes,
            brand="Stride",
            sku="SHOE-M",
            barcode="4006381333931",
            cost_price=Decimal("20"),
            sale_price=Decimal("59.00"),
            options={"size": "M"},
        )
        variant_create(
            product=product, sku="SHOE-L", options={"size": "L"}, cost_price=Decimal("20")
        )
        SupplierItem.objects.create(
            supplier=supplier,
            variant=product.variants.get(sku="SHOE-M"),
            supplier_sku="AC-1",
            cost=Decimal("18.5"),
            is_preferred=True,
        )
        return {"category": shoes, "supplier": supplier, "product": product}


@pytest.fixture
def places(tenant):
    """Warehouse MAIN with bin A-01 (plus receiving and transit) in alpha."""
    with schema_context(tenant.schema_name):
        main = warehouse_create(code="MAIN", name="Main")
        bin_ = location_create(warehouse=main, code="A-01")
        return {"main": main, "bin": bin_}
