"""Several processes (not threads) hammer the stock service on a few variants at once.

The processes only see committed rows, so this test works in a throwaway company
of its own, commits for real and drops the company at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from apps.catalog.models import Product, Variant
from apps.inventory.integrity import (
    stock_differences,
    tracking_differences,
    variant_total_differences,
)
from apps.inventory.models import (
    Location,
    Reservation,
    StockLevel,
    StockMove,
    StockMoveLot,
    Warehouse,
)
from apps.inventory.services import MoveLine, stock_moves_post
from apps.tenants.models import Tenant
from apps.tenants.services.lifecycle import tenant_delete_now
from apps.tenants.services.provisioning import tenant_provision

PROCESSES = 4


@pytest.fixture
def hammer_company(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        for stale in Tenant.objects.filter(slug="hammer"):
            tenant_delete_now(tenant=stale)
        company = tenant_provision(
            name="Hammer", subdomain="hammer", owner_email="o@hammer.test", owner_password=None
        )
        with schema_context(company.schema_name):
            warehouse = Warehouse.objects.create(code="W1", name="One")
            locations = [
                Location.objects.create(warehouse=warehouse, code=f"L{n}") for n in range(2)
            ]
            product = Product.objects.create(name="Widget")
            variants = [Variant.objects.create(product=product, sku=f"W-{n}") for n in range(3)]
            stock_moves_post(
                lines=[
                    MoveLine(v.pk, loc.pk, Decimal(20), Decimal("2.00"))
                    for v in variants
                    for loc in locations
                ],
                kind=StockMove.Kind.OPENING,
            )
            # A lot-tracked variant too: FEFO picking and carried lots under contention.
            dated = Product.objects.create(name="Yoghurt", tracks_lots=True)
            yoghurt = Variant.objects.create(product=dated, sku="Y-1")
            stock_moves_post(
                lines=[
                    MoveLine(yoghurt.pk, loc.pk, Decimal(10), Decimal(1), lot=lot, expiry=expiry)
                    for loc in locations
                    for lot, expiry in (("EARLY", date(2030, 1, 1)), ("LATE", date(2031, 1, 1)))
                ],
                kind=StockMove.Kind.OPENING,
            )
        try:
            yield company
        finally:
            connection.set_schema_to_public()
            tenant_delete_now(tenant=company)


def run_processes(mode: str, schema: str, ops: int) -> list[dict]:
    env = {
        **os.environ,
        "STOCKROOM_DB_NAME": connection.settings_dict["NAME"],
        "STOCKROOM_TESTING": "1",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.inventory.hammer", mode, schema, str(seed), str(ops)],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in range(PROCESSES)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def assert_ledger_consistent() -> None:
    assert stock_differences() == []
    assert tracking_differences() == []
    assert variant_total_differences() == []
    assert not StockLevel.objects.filter(on_hand__lt=0).exists()
    for level in StockLevel.objects.all():
        assert Decimal(0) <= level.reserved <= level.on_hand


def test_processes_hammering_reserve_adjust_transfer_leave_the_ledger_consistent(
    hammer_company, django_db_blocker
):
    with django_db_blocker.unblock():
        results = run_processes("mixed", hammer_company.schema_name, ops=150)
        assert sum(r["deadlocks"] for r in results) == 0
        assert sum(r["ok"] for r in results) > 100  # real work happened, not only refusals
        with schema_context(hammer_company.schema_name):
            assert_ledger_consistent()
            # The lot-tracked variant was hammered too, beyond its four opening lot parts.
            assert StockMoveLot.objects.count() > 4


def test_hot_sku_is_never_oversold(hammer_company, django_db_blocker):
    with django_db_blocker.unblock():
        results = run_processes("hot", hammer_company.schema_name, ops=100)
        with schema_context(hammer_company.schema_name):
            first_variant = Variant.objects.order_by("pk").first()
            first_location = Location.objects.order_by("pk").first()
            reserved = sum(r.quantity for r in Reservation.objects.filter(reference_type="hot"))
            # 20 on hand: exactly 20 single-unit reservations succeed across all processes.
            assert reserved == Decimal(20) == sum(r["ok"] for r in results)
            assert StockLevel.objects.get(
                variant=first_variant, location=first_location
            ).reserved == Decimal(20)
            assert_ledger_consistent()
