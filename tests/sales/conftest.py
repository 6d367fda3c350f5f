from decimal import Decimal

import pytest

from apps.accounts.models import Role
from apps.catalog.services import product_create
from apps.inventory.models import StockMove
from apps.inventory.services import MoveLine, stock_moves_post
from apps.inventory.warehousing import location_create, warehouse_create
from apps.sales.models import Customer, PriceTier
from apps.sales.services import LineInput, sales_order_create
from tests.api.conftest import api_as  # noqa: F401 - the API tests' key fixture
from tests.conftest import make_user


def D(value) -> Decimal:  # noqa: N802 - reads like the literal it builds
    return Decimal(str(value))


def receive(variant, location, quantity, cost="2"):
    stock_moves_post(
        lines=[MoveLine(variant.pk, location.pk, D(quantity), D(cost))], kind=StockMove.Kind.RECEIPT
    )


@pytest.fixture(autouse=True)
def _fresh_status_counts():
    """Tab counts are cached per company; a rolled-back test must not leave its own."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def selling(in_tenant):
    """Two warehouses (MAIN with bins A-2 and A-10, EAST with B-1), two variants, a
    customer on a 10 % tier."""
    main = warehouse_create(code="MAIN", name="Main")
    east = warehouse_create(code="EAST", name="East")
    a10 = location_create(warehouse=main, code="A-10")
    a2 = location_create(warehouse=main, code="A-2")
    b1 = location_create(warehouse=east, code="B-1")
    shirt = product_create(
        name="Shirt", sku="SHIRT-M", barcode="4006381333931", sale_price=D("20.00")
    ).variants.get()
    mug = product_create(name="Mug", sku="MUG-1", sale_price=D("7.99")).variants.get()
    tier = PriceTier.objects.create(name="Trade", discount_percent=D(10))
    customer = Customer.objects.create(name="Ada Shop", email="ada@shop.test", price_tier=tier)
    return {
        "main": main,
        "east": east,
        "a2": a2,
        "a10": a10,
        "b1": b1,
        "shirt": shirt,
        "mug": mug,
        "tier": tier,
        "customer": customer,
    }


@pytest.fixture
def make_order(selling):
    def make(*lines, customer=None, user=None, **kwargs):
        lines = lines or (LineInput(selling["shirt"].pk, D(3)), LineInput(selling["mug"].pk, D(2)))
        return sales_order_create(
            customer=customer or selling["customer"], lines=lines, user=user, **kwargs
        )

    return make


@pytest.fixture
def web(tenant_client, tenant, selling):
    """The company's test client with ``login_as(role)``; one user per role."""

    def login(role):
        tenant_client.force_login(users_by_role[role])
        return tenant_client

    users_by_role = {role: make_user(tenant, role) for role in Role.values}
    tenant_client.login_as = login
    tenant_client.users = users_by_role
    return tenant_client
