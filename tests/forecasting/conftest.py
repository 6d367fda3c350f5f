from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from apps.catalog.models import Product, Variant
from apps.forecasting import demand
from apps.inventory.models import Location, StockMove, Warehouse
from apps.inventory.services import MoveLine, stock_moves_post

TODAY = datetime(2026, 6, 1, 12, tzinfo=UTC)


def on(days_ago: int) -> datetime:
    return TODAY - timedelta(days=days_ago)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(demand, "_today", lambda: TODAY.date())


@pytest.fixture
def shop(in_tenant):
    warehouse = Warehouse.objects.create(code="MAIN", name="Main")
    shelf = Location.objects.create(warehouse=warehouse, code="A-01")
    product = Product.objects.create(name="Mug")
    variants = [
        Variant.objects.create(
            product=product, sku=f"MUG-{c}", cost_price=Decimal("4"), sale_price=Decimal("10")
        )
        for c in ("RED", "BLUE")
    ]
    return {"shelf": shelf, "variants": variants, "product": product}


def post(kind, variant, location, quantity, when):
    stock_moves_post(
        lines=[MoveLine(variant.pk, location.pk, Decimal(str(quantity)), Decimal("4"))],
        kind=kind,
        occurred_at=when,
    )


@pytest.fixture
def sales_history(shop):
    """120 days of weekly-patterned sales for two mugs, restocked weekly."""
    rng = np.random.default_rng(0)
    shelf = shop["shelf"]
    for v, scale in zip(shop["variants"], (6, 2), strict=True):
        post(StockMove.Kind.RECEIPT, v, shelf, 2000, on(121))
        for d in range(120, 0, -1):
            q = int(rng.poisson(scale * (1.6 if on(d).weekday() >= 5 else 1.0)))
            if q:
                post(StockMove.Kind.SHIPMENT, v, shelf, -q, on(d))
    return shop


def import_history(variant, *, mean: float, days: int = 140, warehouse=None, seed: int = 0):
    """``days`` of imported daily demand up to yesterday (pinned today), weekly pattern."""
    from apps.forecasting.history import HistoryDay, demand_history_import

    rng = np.random.default_rng(seed)
    rows = [
        HistoryDay(
            variant.pk,
            warehouse.pk if warehouse else None,
            on(d).date(),
            Decimal(int(rng.poisson(mean * (1.6 if on(d).weekday() >= 5 else 1.0)))),
        )
        for d in range(days, 0, -1)
    ]
    demand_history_import(days=rows)
    return rows


@pytest.fixture
def two_warehouses(shop):
    west = Warehouse.objects.create(code="WEST", name="West")
    shop["west_shelf"] = Location.objects.create(warehouse=west, code="W-01")
    shop["main"] = shop["shelf"].warehouse
    shop["west"] = west
    return shop
