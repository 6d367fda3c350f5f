"""Hand-built data for the dashboard's widgets: two warehouses, three variants with
known costs, moves on known days, purchase orders due on known dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.catalog.models import SupplierItem
from apps.catalog.services import product_create, supplier_create
from apps.inventory.services import MoveLine, stock_moves_post
from apps.inventory.warehousing import location_create, warehouse_create
from apps.purchasing.config import purchasing_settings
from apps.purchasing.services import LineInput, purchase_order_create, purchase_order_submit
from tests.conftest import make_user

TODAY = dt.date(2026, 3, 18)  # a Wednesday


def D(value) -> Decimal:  # noqa: N802 - reads like the literal it builds
    return Decimal(str(value))


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def shop(in_tenant):
    """Warehouses MAIN and EAST with a bin each; variants BOLT (cost 5), NUT (cost 1)
    and GEAR (cost 20); a supplier that sells all three."""
    main = warehouse_create(code="MAIN", name="Main")
    east = warehouse_create(code="EAST", name="East depot")
    bins = {
        "main": location_create(warehouse=main, code="A-01"),
        "east": location_create(warehouse=east, code="B-01"),
    }
    variants = {
        "bolt": product_create(name="Bolt", sku="BOLT").variants.get(),
        "nut": product_create(name="Nut", sku="NUT").variants.get(),
        "gear": product_create(name="Gear", sku="GEAR").variants.get(),
    }
    supplier = supplier_create(name="Acme Parts", email="orders@acme.test", currency="USD")
    for variant, cost in zip(variants.values(), (5, 1, 20), strict=True):
        SupplierItem.objects.create(
            supplier=supplier, variant=variant, cost=D(cost), is_preferred=True
        )
    settings = purchasing_settings()
    settings.approval_threshold = D(100000)
    settings.save()
    return {
        "warehouses": {"main": main, "east": east},
        "bins": bins,
        "variants": variants,
        "supplier": supplier,
    }


@pytest.fixture
def post(shop):
    """``post(kind, [(variant, bin, qty, cost)], day=...)`` through the inventory service."""

    def post(kind, lines, day=TODAY, hour=12, reason=""):
        return stock_moves_post(
            kind=kind,
            reason=reason,
            lines=[
                MoveLine(
                    variant_id=shop["variants"][v].pk,
                    location_id=shop["bins"][b].pk,
                    quantity=D(q),
                    unit_cost=None if cost is None else D(cost),
                )
                for v, b, q, cost in lines
            ],
            occurred_at=at(day, hour),
        )

    return post


@pytest.fixture
def order(shop):
    """``order([(variant, qty)], expected=date, approve=True)``: a purchase order."""

    def make(lines, *, expected, approve=True, warehouse="main"):
        po = purchase_order_create(
            supplier=shop["supplier"],
            warehouse=shop["warehouses"][warehouse],
            lines=[LineInput(shop["variants"][v].pk, D(q)) for v, q in lines],
            expected_date=expected,
        )
        if approve:
            po = purchase_order_submit(order=po)
        return po

    return make


@pytest.fixture
def web(tenant_client, tenant):
    """The company's test client with ``login_as(role)``; one user per role."""
    users_by_role = {role: make_user(tenant, role) for role in Role.values}

    def login(role):
        tenant_client.force_login(users_by_role[role])
        return tenant_client

    tenant_client.login_as = login
    tenant_client.users = users_by_role
    return tenant_client
