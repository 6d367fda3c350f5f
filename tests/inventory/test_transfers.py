from decimal import Decimal

import pytest

from apps.accounts.models import Role
from apps.catalog.services import product_create
from apps.inventory.integrity import stock_differences, variant_total_differences
from apps.inventory.models import Location, StockLevel, StockMove, Transfer
from apps.inventory.services import InsufficientStock, InventoryError, MoveLine, stock_moves_post
from apps.inventory.transfers import (
    TransferItem,
    transfer_cancel,
    transfer_close,
    transfer_create,
    transfer_receive,
    transfer_ship,
)
from apps.inventory.warehousing import location_create, warehouse_create


@pytest.fixture
def two_sites(in_tenant):
    main, east = (
        warehouse_create(code="MAIN", name="Main"),
        warehouse_create(code="EAST", name="East"),
    )
    shelf = location_create(warehouse=main, code="A-01")
    dock = Location.objects.get(warehouse=east, kind="receiving")
    variant = product_create(name="Chair", sku="CHAIR-1").variants.get()
    stock_moves_post(
        lines=[MoveLine(variant.pk, shelf.pk, Decimal(10), Decimal(20))],
        kind=StockMove.Kind.RECEIPT,
    )
    return {
        "main": main,
        "east": east,
        "shelf": shelf,
        "dock": dock,
        "variant": variant,
        "transit": Location.objects.get(warehouse=east, kind="transit"),
    }


def on_hand(variant, location) -> Decimal:
    level = StockLevel.objects.filter(variant=variant, location=location).first()
    return level.on_hand if level else Decimal(0)


def test_transfer_in_transit_accounting(two_sites):
    s = two_sites
    transfer = transfer_create(
        source=s["main"],
        destination=s["east"],
        items=[TransferItem(s["variant"].pk, s["shelf"].pk, Decimal(6))],
    )
    assert transfer.status == "draft" and on_hand(s["variant"], s["shelf"]) == 10
    transfer_ship(transfer=transfer)
    assert (on_hand(s["variant"], s["shelf"]), on_hand(s["variant"], s["transit"])) == (4, 6)
    line = transfer.lines.get()
    transfer = transfer_receive(
        transfer=transfer, location=s["dock"], received={line.pk: Decimal(5)}
    )
    line.refresh_from_db()
    assert transfer.status == "received" and line.difference == 1
    assert (on_hand(s["variant"], s["transit"]), on_hand(s["variant"], s["dock"])) == (0, 5)
    shortfall = StockMove.objects.get(reference_type="transfer", kind="adjustment")
    assert shortfall.quantity == -1 and shortfall.reason == "lost"
    assert transfer_close(transfer=transfer).status == "closed"
    assert stock_differences() == [] and variant_total_differences() == []


def test_shipping_more_than_available_fails_and_leaves_the_draft(two_sites):
    s = two_sites
    transfer = transfer_create(
        source=s["main"],
        destination=s["east"],
        items=[TransferItem(s["variant"].pk, s["shelf"].pk, Decimal(11))],
    )
    with pytest.raises(InsufficientStock):
        transfer_ship(transfer=transfer)
    assert (
        Transfer.objects.get(pk=transfer.pk).status == "draft"
        and on_hand(s["variant"], s["transit"]) == 0
    )


def test_transfer_rules(two_sites):
    s = two_sites
    with pytest.raises(InventoryError, match="two different warehouses"):
        transfer_create(
            source=s["main"],
            destination=s["main"],
            items=[TransferItem(s["variant"].pk, s["shelf"].pk, Decimal(1))],
        )
    with pytest.raises(InventoryError, match="must be in MAIN"):
        transfer_create(
            source=s["main"],
            destination=s["east"],
            items=[TransferItem(s["variant"].pk, s["dock"].pk, Decimal(1))],
        )
    transfer = transfer_create(
        source=s["main"],
        destination=s["east"],
        items=[TransferItem(s["variant"].pk, s["shelf"].pk, Decimal(1))],
    )
    transfer_ship(transfer=transfer)
    with pytest.raises(InventoryError, match="in transit; that can't be done now"):
        transfer_cancel(transfer=transfer)
    with pytest.raises(InventoryError, match="not its in-transit"):
        transfer_receive(transfer=transfer, location=s["transit"])
    draft = transfer_create(
        source=s["main"],
        destination=s["east"],
        items=[TransferItem(s["variant"].pk, s["shelf"].pk, Decimal(1))],
    )
    assert transfer_cancel(transfer=draft).status == "cancelled"


def test_transfer_pages_take_a_scanned_list_and_walk_the_states(tenant_client, tenant, users):
    from django_tenants.utils import schema_context

    with schema_context(tenant.schema_name):
        main, east = (
            warehouse_create(code="MAIN", name="Main"),
            warehouse_create(code="EAST", name="East"),
        )
        shelf = location_create(warehouse=main, code="A-01")
        variant = product_create(name="Desk", sku="DESK-1", barcode="4006381333931").variants.get()
        stock_moves_post(
            lines=[MoveLine(variant.pk, shelf.pk, Decimal(5))], kind=StockMove.Kind.RECEIPT
        )
        dock = Location.objects.get(warehouse=east, kind="receiving")
    tenant_client.force_login(users[Role.CLERK])
    bad = tenant_client.post(
        "/inventory/transfers/new/",
        {"source_location": shelf.pk, "destination": east.pk, "lines": "NOPE 2\nDESK-1 x"},
    )
    assert (
        bad.status_code == 422
        and "Line 1: no variant has the code “NOPE”" in bad.content.decode()
        and "“x” is not a quantity" in bad.content.decode()
    )
    response = tenant_client.post(
        "/inventory/transfers/new/",
        {"source_location": shelf.pk, "destination": east.pk, "lines": "4006381333931 3"},
    )
    assert response.status_code == 302
    url = response["Location"]
    tenant_client.post(url, {"action": "ship"})
    with schema_context(tenant.schema_name):
        transfer = Transfer.objects.get()
        line = transfer.lines.get()
        assert transfer.status == "shipped"
    tenant_client.post(url, {"action": "receive", "location": dock.pk, f"received-{line.pk}": "3"})
    with schema_context(tenant.schema_name):
        assert StockLevel.objects.get(variant=variant, location=dock).on_hand == 3
    page = tenant_client.get("/inventory/transfers/").content.decode()
    assert transfer.number in page and "Received" in page
    tenant_client.force_login(users[Role.VIEWER])
    assert tenant_client.post(url, {"action": "close"}).status_code == 403
