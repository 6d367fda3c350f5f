from decimal import Decimal

import pytest

from apps.catalog.models import Product, Variant
from apps.inventory.models import Location, Warehouse


@pytest.fixture
def stock_setup(in_tenant):
    """Two warehouses with a bin each and two variants, inside alpha's schema."""
    main = Warehouse.objects.create(code="MAIN", name="Main warehouse")
    east = Warehouse.objects.create(code="EAST", name="East depot")
    bins = {
        "main": Location.objects.create(warehouse=main, code="A-01", kind=Location.Kind.BIN),
        "east": Location.objects.create(warehouse=east, code="B-01", kind=Location.Kind.BIN),
        "transit": Location.objects.create(
            warehouse=east, code="TRANSIT", kind=Location.Kind.TRANSIT
        ),
    }
    product = Product.objects.create(name="Trail shoe")
    variants = {
        "m": Variant.objects.create(product=product, sku="SHOE-M", cost_price=Decimal("5")),
        "l": Variant.objects.create(product=product, sku="SHOE-L", cost_price=Decimal("5")),
    }
    return {"bins": bins, "variants": variants}


def D(value) -> Decimal:  # noqa: N802 - reads like the literal it builds
    return Decimal(str(value))
