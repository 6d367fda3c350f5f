from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from apps.catalog.models import Product, Variant
from apps.inventory.integrity import tracking_differences
from apps.inventory.lot_selectors import expiring_lots, fefo_pick
from apps.inventory.models import Location, LotLevel, SerialNumber, StockLevel, StockMoveLot
from apps.inventory.services import (
    InventoryError,
    MoveLine,
    reservation_consume,
    reservation_create,
    stock_move_reverse,
    stock_moves_post,
)
from apps.inventory.transfers import TransferItem, transfer_create, transfer_receive, transfer_ship
from tests.inventory.conftest import D

TODAY = date(2026, 11, 25)


@pytest.fixture
def milk(stock_setup):
    product = Product.objects.create(name="Milk", tracks_lots=True)
    return Variant.objects.create(product=product, sku="MILK-1L")


@pytest.fixture
def phone(stock_setup):
    product = Product.objects.create(name="Phone", tracks_serials=True)
    return Variant.objects.create(product=product, sku="PHONE-X")


def receive_lots(variant, location, *lots):
    return stock_moves_post(
        lines=[
            MoveLine(variant.pk, location.pk, D(q), D(1), lot=number, expiry=expiry)
            for number, q, expiry in lots
        ],
        kind="receipt",
    )


def lot_on_hand(variant, location) -> dict[str, Decimal]:
    return {
        ll.lot.number: ll.on_hand
        for ll in LotLevel.objects.filter(lot__variant=variant, location=location).select_related(
            "lot"
        )
        if ll.on_hand
    }


def test_receipt_by_lot_and_shipment_taking_the_first_expiring_lot_first(stock_setup, milk):
    bin_ = stock_setup["bins"]["main"]
    receive_lots(
        milk, bin_, ("A", 5, date(2027, 1, 10)), ("B", 3, date(2026, 12, 20)), ("C", 2, None)
    )
    assert lot_on_hand(milk, bin_) == {"A": D(5), "B": D(3), "C": D(2)}
    (move,) = stock_moves_post(lines=[MoveLine(milk.pk, bin_.pk, D(-4))], kind="shipment")
    assert lot_on_hand(milk, bin_) == {"A": D(4), "C": D(2)}  # all of B, then 1 of A
    parts = sorted((p.lot.number, p.quantity) for p in StockMoveLot.objects.filter(move=move))
    assert parts == [("A", D(-1)), ("B", D(-3))]
    stock_moves_post(
        lines=[MoveLine(milk.pk, bin_.pk, D(-2), lot="C")], kind="adjustment", reason="damaged"
    )
    assert lot_on_hand(milk, bin_) == {"A": D(4)}
    assert tracking_differences() == []


def test_taking_more_than_a_lot_holds_writes_nothing(stock_setup, milk):
    bin_ = stock_setup["bins"]["main"]
    receive_lots(milk, bin_, ("A", 2, None), ("B", 5, None))
    with pytest.raises(InventoryError, match="Not enough of lot A of MILK-1L there: 3 asked, 2"):
        stock_moves_post(lines=[MoveLine(milk.pk, bin_.pk, D(-3), lot="A")], kind="shipment")
    with pytest.raises(InventoryError, match="MILK-1L has no lot Z"):
        stock_moves_post(lines=[MoveLine(milk.pk, bin_.pk, D(-1), lot="Z")], kind="shipment")
    assert StockLevel.objects.get(variant=milk, location=bin_).on_hand == D(7)
    assert lot_on_hand(milk, bin_) == {"A": D(2), "B": D(5)}


def test_a_lot_keeps_its_expiry_and_untracked_products_refuse_lots(stock_setup, milk):
    bin_ = stock_setup["bins"]["main"]
    receive_lots(milk, bin_, ("A", 1, date(2027, 1, 1)))
    with pytest.raises(InventoryError, match="already expires on 2027-01-01"):
        receive_lots(milk, bin_, ("A", 1, date(2027, 2, 1)))
    receive_lots(milk, bin_, ("A", 1, None))  # the same lot again, date already known
    assert lot_on_hand(milk, bin_) == {"A": D(2)}
    shoe = stock_setup["variants"]["m"]
    with pytest.raises(InventoryError, match="SHOE-M is not tracked by lot"):
        stock_moves_post(lines=[MoveLine(shoe.pk, bin_.pk, D(1), lot="X")], kind="receipt")


def test_a_transfer_carries_its_lots_through_transit(stock_setup, milk):
    main, east = stock_setup["bins"]["main"], stock_setup["bins"]["east"]
    receive_lots(milk, main, ("A", 4, date(2027, 1, 1)), ("B", 4, date(2026, 12, 1)))
    transfer = transfer_create(
        source=main.warehouse,
        destination=east.warehouse,
        items=[TransferItem(milk.pk, main.pk, D(5))],
    )
    transfer_ship(transfer=transfer)
    transit = stock_setup["bins"]["transit"]
    assert lot_on_hand(milk, transit) == {"B": D(4), "A": D(1)}
    transfer_receive(transfer=transfer, location=east, received={transfer.lines.get().pk: D(4)})
    assert lot_on_hand(milk, east) == {"B": D(4)}
    assert lot_on_hand(milk, transit) == {}  # the missing unit was written off from lot A
    assert lot_on_hand(milk, main) == {"A": D(3)}
    assert tracking_differences() == []


def test_reversal_and_reserved_shipments_keep_lots_right(stock_setup, milk):
    bin_ = stock_setup["bins"]["main"]
    (receipt,) = receive_lots(milk, bin_, ("A", 3, date(2027, 1, 1)))
    receive_lots(milk, bin_, ("B", 3, date(2026, 12, 1)))
    stock_move_reverse(move=receipt)
    assert lot_on_hand(milk, bin_) == {"B": D(3)}
    reservation = reservation_create(
        variant_id=milk.pk, location_id=bin_.pk, quantity=D(2), reference=("order", 1)
    )
    reservation_consume(reservation=reservation, quantity=D(2))
    assert lot_on_hand(milk, bin_) == {"B": D(1)}
    receive_lots(milk, bin_, ("C", 2, date(2026, 12, 5)))
    picked = reservation_create(
        variant_id=milk.pk, location_id=bin_.pk, quantity=D(1), reference=("order", 2)
    )
    reservation_consume(reservation=picked, quantity=D(1), lot="C")  # what the picker took
    assert lot_on_hand(milk, bin_) == {"B": D(1), "C": D(1)}
    assert tracking_differences() == []


def test_serial_numbers_follow_their_units(stock_setup, phone):
    main, east = stock_setup["bins"]["main"], stock_setup["bins"]["east"]
    stock_moves_post(
        lines=[MoveLine(phone.pk, main.pk, D(3), D(100), serials=("S1", "S2", "S3"))],
        kind="receipt",
    )
    (ship,) = stock_moves_post(
        lines=[MoveLine(phone.pk, main.pk, D(-1), serials=("S2",))], kind="shipment"
    )
    s2 = SerialNumber.objects.get(serial="S2")
    assert (s2.status, s2.location_id, s2.last_move_id) == ("out", None, ship.pk)
    transfer = transfer_create(
        source=main.warehouse,
        destination=east.warehouse,
        items=[TransferItem(phone.pk, main.pk, D(1))],
    )
    # Which unit is not said: with more serials than units left there, the longest-held
    # serial goes with it into transit.
    transfer_ship(transfer=transfer)
    s1 = SerialNumber.objects.get(serial="S1")
    assert (s1.status, s1.location_id) == ("in_stock", stock_setup["bins"]["transit"].pk)
    with pytest.raises(InventoryError, match="not in stock at this location: S2"):
        stock_moves_post(
            lines=[MoveLine(phone.pk, main.pk, D(-1), serials=("S2",))], kind="shipment"
        )
    with pytest.raises(InventoryError, match="already in stock: S1"):
        stock_moves_post(lines=[MoveLine(phone.pk, east.pk, D(1), serials=("S1",))], kind="receipt")
    with pytest.raises(InventoryError, match="2 serial numbers for a quantity of 1"):
        stock_moves_post(
            lines=[MoveLine(phone.pk, east.pk, D(1), serials=("S8", "S9"))], kind="receipt"
        )
    # Moved between bins in one posting, a serial goes where its unit goes.
    stock_moves_post(
        lines=[
            MoveLine(phone.pk, main.pk, D(-1), serials=("S3",)),
            MoveLine(phone.pk, east.pk, D(1)),
        ],
        kind="adjustment",
        reason="correction",
    )
    assert SerialNumber.objects.get(serial="S3").location_id == east.pk
    stock_moves_post(lines=[MoveLine(phone.pk, east.pk, D(1), serials=("S2",))], kind="return")
    assert SerialNumber.objects.get(serial="S2").status == "in_stock"
    assert tracking_differences() == []


def test_fefo_suggestion_skips_expired_lots_and_says_what_it_covers(stock_setup, milk):
    main, east = stock_setup["bins"]["main"], stock_setup["bins"]["east"]
    receive_lots(milk, main, ("OLD", 5, date(2026, 11, 1)), ("SOON", 2, date(2026, 12, 1)))
    receive_lots(milk, east, ("LATER", 4, date(2027, 3, 1)), ("NODATE", 9, None))
    picks = fefo_pick(variant_id=milk.pk, quantity=D(5), today=TODAY)
    assert [(p.lot_number, p.location_code, p.quantity) for p in picks] == [
        ("SOON", "A-01", D(2)),
        ("LATER", "B-01", D(3)),
    ]
    main_only = fefo_pick(
        variant_id=milk.pk, quantity=D(5), warehouse_id=main.warehouse_id, today=TODAY
    )
    assert sum(p.quantity for p in main_only) == D(2)  # a shortfall the caller can see
    with_expired = fefo_pick(variant_id=milk.pk, quantity=D(1), include_expired=True, today=TODAY)
    assert with_expired[0].lot_number == "OLD"
    soon = [ll.lot.number for ll in expiring_lots(days=30, today=TODAY)]
    assert soon == ["OLD", "SOON"]


def test_stock_check_reports_a_lot_balance_that_disagrees(stock_setup, milk, tenant):
    bin_ = stock_setup["bins"]["main"]
    receive_lots(milk, bin_, ("A", 3, None))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_lotlevel SET on_hand = 4")
    kinds = sorted(d.kind for d in tracking_differences())
    assert kinds == ["lot", "lots above on hand"]
    with pytest.raises(Exception, match="differ from the ledger"):
        call_command("stock_check", "--tenant", tenant.slug)


def test_lot_tracking_does_not_touch_other_locations(stock_setup, milk):
    receive_lots(milk, stock_setup["bins"]["main"], ("A", 3, None))
    zone = Location.objects.create(
        warehouse=stock_setup["bins"]["main"].warehouse, code="Z", kind="zone"
    )
    stock_moves_post(lines=[MoveLine(milk.pk, zone.pk, D(2))], kind="receipt")  # without a lot
    stock_moves_post(lines=[MoveLine(milk.pk, zone.pk, D(-2))], kind="shipment")
    assert lot_on_hand(milk, stock_setup["bins"]["main"]) == {"A": D(3)}
    assert tracking_differences() == []


def test_receiving_by_lot_on_the_adjust_page(tenant_client, tenant, users):
    from django_tenants.utils import schema_context

    from apps.accounts.models import Role
    from apps.inventory.warehousing import location_create, warehouse_create

    with schema_context(tenant.schema_name):
        bin_ = location_create(warehouse=warehouse_create(code="main", name="Main"), code="a")
        product = Product.objects.create(name="Milk", tracks_lots=True)
        Variant.objects.create(product=product, sku="MILK")
        serial_product = Product.objects.create(name="Phone", tracks_serials=True)
        Variant.objects.create(product=serial_product, sku="PHONE")
    tenant_client.force_login(users[Role.CLERK])
    form = {"code": "MILK", "location": bin_.pk, "quantity": "4", "reason": "found"}
    missing = tenant_client.post("/inventory/adjust/", form)
    assert missing.status_code == 422 and "MILK is tracked by lot" in missing.content.decode()
    ok = tenant_client.post("/inventory/adjust/", {**form, "lot": "L1", "expiry": "2026-12-01"})
    assert ok.status_code == 302
    phone = {"code": "PHONE", "location": bin_.pk, "quantity": "2", "reason": "found"}
    wrong = tenant_client.post("/inventory/adjust/", {**phone, "serials": "A1"})
    assert wrong.status_code == 422
    assert "1 serial number for a quantity of 2" in wrong.content.decode()
    assert (
        tenant_client.post("/inventory/adjust/", {**phone, "serials": "A1\nA2\n"}).status_code
        == 302
    )
    with schema_context(tenant.schema_name):
        (level,) = LotLevel.objects.filter(lot__number="L1")
        assert (level.on_hand, level.lot.expiry_date) == (D(4), date(2026, 12, 1))
        assert set(SerialNumber.objects.values_list("serial", flat=True)) == {"A1", "A2"}


def test_expiring_page_lists_lots_soonest_first_with_a_fixed_query_count(
    tenant_client, tenant, users
):
    from datetime import timedelta

    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from apps.accounts.models import Role
    from apps.inventory.warehousing import location_create, warehouse_create

    today = timezone.localdate()
    with schema_context(tenant.schema_name):
        bin_ = location_create(warehouse=warehouse_create(code="main", name="Main"), code="a")
        milk = Variant.objects.create(
            product=Product.objects.create(name="Milk", tracks_lots=True), sku="MILK"
        )
        receive_lots(milk, bin_, ("GONE", 1, today - timedelta(days=1)))
        receive_lots(milk, bin_, ("NEXT", 1, today + timedelta(days=5)))
        receive_lots(milk, bin_, ("FAR", 1, today + timedelta(days=100)))
    tenant_client.force_login(users[Role.VIEWER])

    def get(**params):
        with CaptureQueriesContext(connection) as ctx:
            response = tenant_client.get("/inventory/expiring/", {"per_page": 100, **params})
            assert response.status_code == 200
        return response.content.decode(), len(ctx.captured_queries)

    get()
    page, few = get()
    assert page.index("GONE") < page.index("NEXT") and "FAR" not in page and "Expired" in page
    assert "FAR" in get(days=180)[0]
    with schema_context(tenant.schema_name):
        for n in range(20):
            receive_lots(milk, bin_, (f"N{n}", 1, today + timedelta(days=n)))
    assert get()[1] == few
    empty, _ = get(q="nothing-like-this")
    assert "Nothing expires within 30 days" in empty


def test_relabelling_between_lots_in_one_place_keeps_the_balance(stock_setup, milk):
    bin_ = stock_setup["bins"]["main"]
    receive_lots(milk, bin_, ("A", 3, None))
    stock_moves_post(
        lines=[
            MoveLine(milk.pk, bin_.pk, D(-2), lot="A"),
            MoveLine(milk.pk, bin_.pk, D(2), lot="B", expiry=date(2027, 5, 1)),
        ],
        kind="adjustment",
        reason="correction",
    )
    assert lot_on_hand(milk, bin_) == {"A": D(1), "B": D(2)}
    assert StockLevel.objects.get(variant=milk, location=bin_).on_hand == D(3)
    with pytest.raises(InventoryError, match="Not enough of lot A"):
        stock_moves_post(
            lines=[
                MoveLine(milk.pk, bin_.pk, D(-5), lot="A"),
                MoveLine(milk.pk, bin_.pk, D(5), lot="B"),
            ],
            kind="adjustment",
            reason="correction",
        )
    assert tracking_differences() == []
