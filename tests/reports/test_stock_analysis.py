"""Turnover, dead stock, ABC/XYZ and low stock against hand-built ledgers."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.catalog.models import Product, Variant
from apps.inventory.models import Location, Warehouse
from apps.inventory.services import MoveLine, stock_moves_post
from apps.reports.definitions.stock_analysis import abc_class, xyz_class

from .conftest import csv_rows, get, pdf_text, xlsx_rows


def days_ago(n: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)


def since(n: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=n)).isoformat()


@pytest.fixture
def shelf(tenant):
    with schema_context(tenant.schema_name):
        main = Warehouse.objects.create(code="MAIN", name="Main")
        return Location.objects.create(warehouse=main, code="A-01")


def variant(sku, **extra):
    return Variant.objects.create(
        product=Product.objects.create(name=sku.title()), sku=sku, **extra
    )


def post(item, shelf, qty, age, cost=None, kind=None):
    kind = kind or ("receipt" if qty > 0 else "shipment")
    stock_moves_post(
        lines=[MoveLine(item.pk, shelf.pk, D(qty), D(cost) if cost else None)],
        kind=kind,
        reason="correction" if kind == "adjustment" else "",
        occurred_at=days_ago(age),
    )


@pytest.fixture
def turnover_ledger(tenant, shelf):
    """MUG: +100 @ 2.00 60 days ago; shipped 30 (20 days ago) and 10 (10 days ago).
    BOWL: +10 @ 5.00 200 days ago, never shipped. Period: the last 30 days."""
    with schema_context(tenant.schema_name):
        mug, bowl = variant("MUG"), variant("BOWL")
        post(mug, shelf, 100, 60, "2")
        post(mug, shelf, -30, 20)
        post(mug, shelf, -10, 10)
        post(bowl, shelf, 10, 200, "5")
        # A transfer-like adjustment out is not consumption.
        post(bowl, shelf, -1, 5, kind="adjustment")
        post(bowl, shelf, 1, 4, "5", kind="adjustment")


def test_turnover_and_days_of_supply(manager_client, turnover_ledger):
    rows = csv_rows(
        manager_client, "turnover", period="custom", date_from=since(29), date_to=since(0)
    )
    by_sku = {r[0]: r for r in rows[1:-1]}
    # MUG: opening 100 (200.00), closing 60 (120.00): average 160; consumed 40 at 2.00 = 80.
    assert by_sku["MUG"][2:] == ["100", "60", "40", "80.00", "160.00", "0.50", "45.00"]
    # BOWL: nothing consumed: turnover 0, days of supply unknown.
    assert by_sku["BOWL"][2:] == ["10", "10", "0", "0.00", "50.00", "0.00", ""]
    # The total turnover is total cost consumed ÷ total average value, not a sum: 80 / 210.
    assert rows[-1] == ["Total", "", "110", "70", "40", "80.00", "210.00", "0.38", ""]
    sheet = xlsx_rows(manager_client, "turnover", period="custom", date_from=since(29),
                      date_to=since(0))  # fmt: skip
    assert sheet[-1][0] == "Total" and sheet[-1][7] == pytest.approx(80 / 210)
    text = pdf_text(manager_client, "turnover", period="custom", date_from=since(29),
                    date_to=since(0))  # fmt: skip
    assert "210.00" in text and "0.38" in text
    page = get(manager_client, "turnover", period="custom", date_from=since(29),
               date_to=since(0)).content.decode()  # fmt: skip
    assert "210.00" in page and "0.38" in page


def test_dead_stock_is_stock_without_consumption_for_n_days(manager_client, turnover_ledger):
    rows = csv_rows(manager_client, "dead-stock", days=90)
    assert rows[1:] == [
        ["BOWL", "Bowl", "10", "5.00", "50.00", "", "200"],
        ["Total", "", "10", "", "50.00", "", ""],
    ]
    rows = csv_rows(manager_client, "dead-stock", days=5, sort="sku")
    assert [r[0] for r in rows[1:-1]] == ["BOWL", "MUG"]
    assert rows[2][5] == since(10) and rows[2][6] == "10"


@pytest.fixture
def abc_ledger(tenant, shelf):
    """Four weeks (the last 28 days). A1 sells 25 a week at 8.00 (800); B1 30, 30, 15, 0 at
    2.00 (150); C1 50 once, in the last week, at 1.00 (50). Total 1,000."""
    with schema_context(tenant.schema_name):
        a1, b1, c1 = variant("A1"), variant("B1"), variant("C1")
        post(a1, shelf, 1000, 100, "8")
        post(b1, shelf, 1000, 100, "2")
        post(c1, shelf, 1000, 100, "1")
        for age in (25, 18, 11, 4):
            post(a1, shelf, -25, age)
        for age, qty in ((25, 30), (18, 30), (11, 15)):
            post(b1, shelf, -qty, age)
        post(c1, shelf, -50, 3)


def test_abc_xyz_classes(manager_client, abc_ledger):
    rows = csv_rows(
        manager_client, "abc-xyz", period="custom", date_from=since(27), date_to=since(0)
    )
    assert rows[1:] == [
        ["A1", "A1", "100", "800.00", "80.0%", "80.0%", "A", "0.00", "X", "AX"],
        ["B1", "B1", "75", "150.00", "15.0%", "95.0%", "B", "0.66", "Y", "BY"],
        ["C1", "C1", "50", "50.00", "5.0%", "100.0%", "C", "1.73", "Z", "CZ"],
        ["Total", "", "225", "1000.00", "100.0%", "", "", "", "", ""],
    ]


def test_abc_and_xyz_boundaries():
    assert [abc_class(D(x)) for x in (0, 79.9, 80, 94.9, 95)] == ["A", "A", "B", "B", "C"]
    assert xyz_class([D(5)] * 4) == (D("0.00"), "X")
    assert xyz_class([D(0)] * 4) == (None, "Z")
    assert xyz_class([D(10), D(0)])[1] == "Z"  # CV exactly 1


def test_low_stock_and_reorder_uses_the_inventory_selector(manager_client, tenant, shelf):
    with schema_context(tenant.schema_name):
        cup = variant("CUP", reorder_point=D(10), safety_stock=D(2))
        variant("PLENTY", reorder_point=D(1))
        post(cup, shelf, 4, 1, "1")
        post(Variant.objects.get(sku="PLENTY"), shelf, 50, 1, "1")
    rows = csv_rows(manager_client, "low-stock")
    assert rows[1:] == [
        ["CUP", "Cup", "All (pooled)", "4", "10", "8"],
        ["Total", "", "", "4", "", "8"],
    ]
    assert csv_rows(manager_client, "low-stock", search="nothing-like-it")[1:] == [
        ["Total", "", "", "0", "", "0"]
    ]


def test_dead_stock_in_one_warehouse_looks_at_its_own_sales(manager_client, tenant, shelf):
    with schema_context(tenant.schema_name):
        east = Location.objects.create(
            warehouse=Warehouse.objects.create(code="EAST", name="East"), code="E-01"
        )
        lamp = variant("LAMP")
        post(lamp, shelf, 10, 100, "4")
        post(lamp, east, 10, 100, "4")
        post(lamp, shelf, -1, 2)  # sold from MAIN only
    main_id, east_id = shelf.warehouse_id, east.warehouse_id
    assert csv_rows(manager_client, "dead-stock", days=30, warehouse=main_id)[1:] == [
        ["Total", "", "0", "", "0.00", "", ""]
    ]
    rows = csv_rows(manager_client, "dead-stock", days=30, warehouse=east_id)
    assert rows[1] == ["LAMP", "Lamp", "10", "4.00", "40.00", "", "100"]
