"""Concurrent confirmations on scarce stock never oversell and backorder the rest.

Threads with their own database connections only see committed rows, so this test
works in a throwaway company of its own, commits for real and drops it at the end.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from apps.catalog.models import Product, Variant
from apps.inventory.integrity import stock_differences
from apps.inventory.models import Location, StockLevel, StockMove, Warehouse
from apps.inventory.services import MoveLine, stock_moves_post
from apps.sales.models import Customer, SalesOrderLine
from apps.sales.services import LineInput, sales_order_confirm, sales_order_create
from apps.tenants.models import Tenant
from apps.tenants.services.lifecycle import tenant_delete_now
from apps.tenants.services.provisioning import tenant_provision

WORKERS = 8


@pytest.fixture
def rush_company(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        for stale in Tenant.objects.filter(slug="salesrush"):
            tenant_delete_now(tenant=stale)
        company = tenant_provision(
            name="Rush", subdomain="salesrush", owner_email="o@rush.test", owner_password=None
        )
        try:
            yield company
        finally:
            connection.set_schema_to_public()
            tenant_delete_now(tenant=company)


def test_concurrent_confirmations_never_oversell(rush_company, django_db_blocker):
    with django_db_blocker.unblock(), schema_context(rush_company.schema_name):
        one = Warehouse.objects.create(code="W1", name="One")
        two = Warehouse.objects.create(code="W2", name="Two")
        places = [
            Location.objects.create(warehouse=one, code="A"),
            Location.objects.create(warehouse=one, code="B"),
            Location.objects.create(warehouse=two, code="C"),
        ]
        product = Product.objects.create(name="Scarce")
        scarce = [Variant.objects.create(product=product, sku=f"S-{n}") for n in range(3)]
        # 5 + 4 + 3 of each variant: 12 units, while 8 orders ask for 3 each (24).
        stock_moves_post(
            lines=[
                MoveLine(v.pk, loc.pk, Decimal(qty), Decimal(1))
                for v in scarce
                for loc, qty in zip(places, (5, 4, 3), strict=True)
            ],
            kind=StockMove.Kind.OPENING,
        )
        customer = Customer.objects.create(name="Buyer")
        orders = [
            # Lines in opposite orders in alternate orders: a deadlock would show here.
            sales_order_create(
                customer=customer,
                lines=[LineInput(v.pk, Decimal(3)) for v in (scarce if n % 2 else scarce[::-1])],
            )
            for n in range(WORKERS)
        ]
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def confirm(order):
        try:
            with django_db_blocker.unblock(), schema_context(rush_company.schema_name):
                start.wait()
                sales_order_confirm(order=order)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(o,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with django_db_blocker.unblock(), schema_context(rush_company.schema_name):
        for variant in scarce:
            lines = SalesOrderLine.objects.filter(variant=variant)
            allocated = sum(line.allocated_quantity for line in lines)
            backordered = sum(line.backordered_quantity for line in lines)
            assert allocated == Decimal(12)  # everything there was, no more
            assert backordered == Decimal(24 - 12)
            for level in StockLevel.objects.filter(variant=variant):
                assert level.reserved == level.on_hand  # nothing oversold, nothing left idle
        assert stock_differences() == []
