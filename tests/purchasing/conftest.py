from decimal import Decimal

import pytest

from apps.accounts.models import Role
from apps.catalog.models import SupplierItem
from apps.catalog.services import product_create, supplier_create
from apps.inventory.models import Location
from apps.inventory.warehousing import location_create, warehouse_create
from apps.purchasing.config import purchasing_settings
from apps.purchasing.services import LineInput, purchase_order_create
from tests.conftest import make_user


def D(value) -> Decimal:  # noqa: N802 - reads like the literal it builds
    return Decimal(str(value))


@pytest.fixture
def buying(in_tenant):
    """A warehouse with a bin, a supplier selling two variants (one in packs of 6)."""
    warehouse = warehouse_create(code="MAIN", name="Main")
    shelf = location_create(warehouse=warehouse, code="A-01")
    supplier = supplier_create(name="Acme Parts", email="orders@acme.test", currency="USD")
    bolt = product_create(name="Bolt", sku="BOLT-1", barcode="4006381333931").variants.get()
    nut = product_create(name="Nut", sku="NUT-1").variants.get()
    bolt.weight_kg, nut.weight_kg = D(2), D("0.5")
    bolt.save(update_fields=["weight_kg"])
    nut.save(update_fields=["weight_kg"])
    SupplierItem.objects.create(
        supplier=supplier, variant=bolt, supplier_sku="AC-BOLT", cost=D(5), is_preferred=True
    )
    SupplierItem.objects.create(
        supplier=supplier,
        variant=nut,
        supplier_sku="AC-NUT",
        cost=D(1),
        pack_size=D(6),
        minimum_order_quantity=D(12),
        is_preferred=True,
    )
    settings = purchasing_settings()
    settings.approval_threshold = D(1000)
    settings.save()
    return {
        "warehouse": warehouse,
        "shelf": shelf,
        "dock": Location.objects.get(warehouse=warehouse, kind="receiving"),
        "supplier": supplier,
        "bolt": bolt,
        "nut": nut,
        "settings": settings,
    }


@pytest.fixture
def make_order(buying):
    def make(*lines, user=None, **kwargs):
        lines = lines or (LineInput(buying["bolt"].pk, D(10)), LineInput(buying["nut"].pk, D(30)))
        return purchase_order_create(
            supplier=buying["supplier"],
            warehouse=buying["warehouse"],
            lines=lines,
            user=user,
            **kwargs,
        )

    return make


@pytest.fixture
def web(tenant_client, tenant, buying):
    """The company's test client with ``login_as(role)``; one user per role."""

    def login(role):
        tenant_client.force_login(users_by_role[role])
        return tenant_client

    users_by_role = {role: make_user(tenant, role) for role in Role.values}
    tenant_client.login_as = login
    tenant_client.users = users_by_role
    return tenant_client
