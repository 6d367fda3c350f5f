"""Demand history imported from CSV/XLSX (the import framework) and merged with the ledger."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.forecasting.demand import demand_history, warehouse_demand_history
from apps.forecasting.history import HistoryDay, demand_history_import
from apps.forecasting.models import DemandHistory, ForecastRun, PolicyResult
from apps.forecasting.services import forecast_run_execute
from apps.importexport.models import ImportBatch
from apps.inventory.models import StockMove
from tests.importexport.conftest import upload, xlsx_bytes

from .conftest import import_history, on, post

K = StockMove.Kind


@pytest.fixture
def mugs(tenant):
    """The forecasting shop, built in alpha's schema for the page-level tests."""
    from apps.catalog.models import Product, Variant
    from apps.inventory.models import Location, Warehouse

    with schema_context(tenant.schema_name):
        warehouse = Warehouse.objects.create(code="MAIN", name="Main")
        Location.objects.create(warehouse=warehouse, code="A-01")
        product = Product.objects.create(name="Mug")
        for colour in ("RED", "BLUE"):
            Variant.objects.create(product=product, sku=f"MUG-{colour}", cost_price=4)
    return tenant


def _batch(tenant, response) -> ImportBatch:
    assert response.status_code == 302, response.content.decode()[:2000]
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    with schema_context(tenant.schema_name):
        return ImportBatch.objects.get(pk=pk)


def test_history_file_is_previewed_then_imported_in_one_go(tenant_client, mugs, users):
    tenant_client.force_login(users[Role.MANAGER])
    yesterday = timezone.localdate() - timedelta(days=1)
    before = yesterday - timedelta(days=1)
    content = (
        "SKU,Date,Quantity,Warehouse,Stockout\n"
        f"mug-red,{before},4,main,\n"
        f"MUG-RED,{yesterday:%d/%m/%Y},0,MAIN,yes\n"
        f"MUG-BLUE,{yesterday},2.5,,\n"
    ).encode()
    batch = _batch(mugs, upload(tenant_client, "demand_history", content))
    assert (batch.status, batch.create_count, batch.error_count) == ("ready", 3, 0)
    with schema_context(mugs.schema_name):
        assert not DemandHistory.objects.exists()  # the preview writes nothing
    tenant_client.post(f"/data/imports/{batch.pk}/confirm/")
    with schema_context(mugs.schema_name):
        batch.refresh_from_db()
        assert batch.status == "done", batch.message
        rows = {
            (h.variant.sku, h.warehouse.code if h.warehouse else None, h.date): h
            for h in DemandHistory.objects.select_related("variant", "warehouse")
        }
        assert rows[("MUG-RED", "MAIN", before)].quantity == 4
        assert rows[("MUG-RED", "MAIN", yesterday)].stockout is True
        assert rows[("MUG-BLUE", None, yesterday)].quantity == Decimal("2.5")
        assert rows[("MUG-BLUE", None, yesterday)].batch_id == batch.pk
    # The same file again changes nothing; a changed day is an update (old → new).
    again = _batch(mugs, upload(tenant_client, "demand_history", content))
    assert (again.unchanged_count, again.create_count, again.can_confirm) == (3, 0, False)
    changed = content.replace(b",4,main", b",6,main")
    update = _batch(mugs, upload(tenant_client, "demand_history", changed))
    assert (update.update_count, update.unchanged_count) == (1, 2)
    with schema_context(mugs.schema_name):
        assert update.rows.get(action="update").changes == [["quantity", "4", "6"]]


def test_history_rows_with_problems_are_named_and_nothing_is_imported(tenant_client, mugs, users):
    tenant_client.force_login(users[Role.MANAGER])
    yesterday = timezone.localdate() - timedelta(days=1)
    content = xlsx_bytes(
        ["sku", "date", "quantity", "warehouse"],
        [
            ["NOPE", str(yesterday), "1", ""],
            ["MUG-RED", "last tuesday", "1", ""],
            ["MUG-RED", str(timezone.localdate()), "1", ""],
            ["MUG-RED", str(yesterday), "-2", ""],
            ["MUG-RED", str(yesterday), "3", "WEST"],
            ["MUG-BLUE", str(yesterday), "1", ""],
            ["MUG-BLUE", str(yesterday), "2", ""],
        ],
    )
    batch = _batch(mugs, upload(tenant_client, "demand_history", content, name="h.xlsx"))
    assert batch.status == "invalid" and batch.error_count == 6
    with schema_context(mugs.schema_name):
        errors = {r.number: r.errors[0]["message"] for r in batch.rows.filter(action="error")}
        assert not DemandHistory.objects.exists()
    assert "No variant has the SKU NOPE" in errors[2]
    assert "not a date" in errors[3]
    assert "not in the past" in errors[4]
    assert "below 0" in errors[5]
    assert "No warehouse has the code WEST" in errors[6]
    assert "appears twice (first on row 7)" in errors[8]
    page = tenant_client.get(f"/data/imports/{batch.pk}/")
    assert page.status_code == 200 and "appears twice" in page.text
    assert tenant_client.post(f"/data/imports/{batch.pk}/confirm/").status_code in (
        302,
        400,
        409,
        422,
    )
    with schema_context(mugs.schema_name):
        assert not DemandHistory.objects.exists()


def test_clerk_cannot_import_demand_history(tenant_client, mugs, users):
    tenant_client.force_login(users[Role.CLERK])
    response = upload(tenant_client, "demand_history", b"sku,date,quantity\nMUG-RED,2020-01-01,1\n")
    assert response.status_code == 403
    with schema_context(mugs.schema_name):
        assert not ImportBatch.objects.exists()


def test_ledger_wins_on_the_days_it_covers_and_history_fills_the_days_before(shop):
    red, _blue = shop["variants"]
    shelf = shop["shelf"]
    demand_history_import(
        days=[
            HistoryDay(red.pk, None, on(d).date(), Decimal(10), stockout=(d == 12))
            for d in range(14, 0, -1)
        ]
    )
    post(K.RECEIPT, red, shelf, 20, on(5))
    post(K.SHIPMENT, red, shelf, -3, on(4))
    frame = demand_history(days=20)
    by_day = {row.date.date(): row for row in frame.itertuples()}
    assert by_day[on(14).date()].quantity == 10  # before the ledger: imported
    assert by_day[on(12).date()].stockout  # imported sold-out day: lost sales
    assert by_day[on(4).date()].quantity == 3  # the ledger's shipment, not the import's 10
    assert by_day[on(3).date()].quantity == 0  # the ledger's quiet day wins too
    assert min(by_day) == on(14).date()


def test_warehouse_history_splits_the_forecast_and_a_run_uses_imported_history_only(shop):
    from apps.inventory.models import Location, Warehouse

    red, blue = shop["variants"]
    west = Warehouse.objects.create(code="WEST", name="West")
    Location.objects.create(warehouse=west, code="W-01")
    main = shop["shelf"].warehouse
    import_history(red, mean=5, warehouse=main, seed=1)
    import_history(red, mean=2, warehouse=west, seed=2)
    import_history(blue, mean=3, seed=3)  # no warehouse: pooled only
    split = warehouse_demand_history()
    assert set(split["variant_id"]) == {red.pk}
    assert set(split["warehouse_id"]) == {main.pk, west.pk}
    run = forecast_run_execute(run=ForecastRun.objects.create())
    assert run.status == ForecastRun.Status.DONE and run.series == 2
    blue_policy = PolicyResult.objects.get(run=run, variant=blue)
    assert 2 <= float(blue_policy.daily_demand) <= 5
