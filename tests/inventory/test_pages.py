from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.services import product_create
from apps.inventory.models import Location, StockLevel, StockMove, Warehouse
from apps.inventory.selectors import movement_history
from apps.inventory.services import MoveLine, stock_moves_post
from apps.inventory.warehousing import location_create, warehouse_create


def setup_stock(tenant):
    with schema_context(tenant.schema_name):
        warehouse = warehouse_create(code="main", name="Main")
        bin_ = location_create(warehouse=warehouse, code="a-01")
        product = product_create(name="Lamp", sku="LAMP-1", barcode="4006381333931")
        variant = product.variants.get()
        return warehouse, bin_, variant


def test_new_warehouse_gets_receiving_and_transit_locations(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.MANAGER])
    response = tenant_client.post("/inventory/warehouses/", {"code": "nyc-1", "name": "New York"})
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        warehouse = Warehouse.objects.get(code="NYC-1")
        assert sorted(warehouse.locations.values_list("kind", flat=True)) == [
            "receiving",
            "transit",
        ]
    tenant_client.force_login(users[Role.CLERK])
    assert (
        tenant_client.post("/inventory/warehouses/", {"code": "x", "name": "X"}).status_code == 403
    )


def test_clerk_adjusts_stock_by_scanning_a_barcode(tenant_client, tenant, users):
    _, bin_, variant = setup_stock(tenant)
    tenant_client.force_login(users[Role.CLERK])
    response = tenant_client.post(
        "/inventory/adjust/",
        {"code": "4006381333931", "location": bin_.pk, "quantity": "5", "reason": "found"},
    )
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        assert StockLevel.objects.get(variant=variant, location=bin_).on_hand == Decimal(5)
        move = StockMove.objects.get(variant=variant)
        assert (move.kind, move.reason, move.user_id) == (
            "adjustment",
            "found",
            users[Role.CLERK].pk,
        )
    too_much = tenant_client.post(
        "/inventory/adjust/",
        {"code": "LAMP-1", "location": bin_.pk, "quantity": "-9", "reason": "lost"},
    )
    assert too_much.status_code == 422 and "9 asked, 5 available" in too_much.content.decode()
    unknown = tenant_client.post(
        "/inventory/adjust/",
        {"code": "NOPE", "location": bin_.pk, "quantity": "1", "reason": "found"},
    )
    assert (
        unknown.status_code == 422
        and "No variant has the barcode or SKU" in unknown.content.decode()
    )


def test_viewer_cannot_adjust(tenant_client, users):
    tenant_client.force_login(users[Role.VIEWER])
    assert tenant_client.get("/inventory/adjust/").status_code == 403


def test_history_shows_the_running_balance_even_when_filtered(tenant, in_tenant):
    _, bin_, variant = setup_stock(tenant)
    for qty, kind, reason in [
        (10, "receipt", ""),
        (-3, "adjustment", "damaged"),
        (4, "receipt", ""),
        (-6, "shipment", ""),
    ]:
        stock_moves_post(
            lines=[MoveLine(variant.pk, bin_.pk, Decimal(qty), Decimal(2))],
            kind=kind,
            reason=reason,
        )
    rows = list(movement_history(variant_id=variant.pk))
    assert [r.balance for r in rows] == [Decimal(5), Decimal(11), Decimal(7), Decimal(10)]
    receipts = list(movement_history(variant_id=variant.pk, kind="receipt"))
    assert [r.balance for r in receipts] == [Decimal(11), Decimal(10)]


def test_history_count_stops_at_its_cap_and_pages_keep_their_balances(tenant, in_tenant):
    """A huge ledger is not counted to the end for the page links ("5+" here, "10000+" on
    the page), and a page's running balances are those of the whole list."""
    from django.core.paginator import Paginator

    from apps.inventory.selectors import CappedCount

    _, bin_, variant = setup_stock(tenant)
    for qty in (10, -1, 4, -2, 3, -5, 1):
        line = MoveLine(variant.pk, bin_.pk, Decimal(qty))
        stock_moves_post(lines=[line], kind="adjustment", reason="correction")
    whole = [(m.pk, m.balance) for m in movement_history(variant_id=variant.pk)]
    assert [b for _pk, b in whole] == [10, 9, 14, 11, 13, 9, 10]  # newest first
    paginator = Paginator(CappedCount(movement_history(variant_id=variant.pk), cap=5), 2)
    assert paginator.count == 5 and str(paginator.count) == "5+" and paginator.num_pages == 3
    assert [(m.pk, m.balance) for m in paginator.page(1)] == whole[:2]
    assert [(m.pk, m.balance) for m in paginator.page(2)] == whole[2:4]
    exact = Paginator(CappedCount(movement_history(variant_id=variant.pk), cap=7), 2)
    assert exact.count == 7 and str(exact.count) == "7"
    assert [(m.pk, m.balance) for m in exact.page(4)] == whole[6:]


def test_stock_and_history_pages_have_a_fixed_query_count(tenant_client, tenant, users):
    warehouse, bin_, variant = setup_stock(tenant)
    tenant_client.force_login(users[Role.VIEWER])

    def count(url) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = tenant_client.get(url, {"per_page": 100})
            assert response.status_code == 200
        return len(ctx.captured_queries)

    with schema_context(tenant.schema_name):
        stock_moves_post(lines=[MoveLine(variant.pk, bin_.pk, Decimal(1))], kind="receipt")
    count("/inventory/")
    few_levels, few_moves = count("/inventory/"), count("/inventory/history/")
    with schema_context(tenant.schema_name):
        for n in range(30):
            v = product_create(name=f"P{n}", sku=f"P-{n}").variants.get()
            stock_moves_post(lines=[MoveLine(v.pk, bin_.pk, Decimal(2))], kind="receipt")
            location = Location.objects.get(warehouse=warehouse, kind="receiving")
            stock_moves_post(lines=[MoveLine(v.pk, location.pk, Decimal(1))], kind="receipt")
    assert count("/inventory/") == few_levels
    assert count("/inventory/history/") == few_moves
    page = tenant_client.get("/inventory/", {"q": "P-29"}).content.decode()
    assert "P-29" in page and "MAIN/A-01" in page


def test_history_for_an_unknown_code_shows_nothing(tenant_client, tenant, users):
    _, bin_, variant = setup_stock(tenant)
    with schema_context(tenant.schema_name):
        stock_moves_post(lines=[MoveLine(variant.pk, bin_.pk, Decimal(1))], kind="receipt")
    tenant_client.force_login(users[Role.VIEWER])
    content = tenant_client.get("/inventory/history/", {"code": "NO-SUCH"}).content.decode()
    assert "No variant has the barcode or SKU" in content and "LAMP-1" not in content
    assert (
        "LAMP-1"
        in tenant_client.get("/inventory/history/", {"code": "4006381333931"}).content.decode()
    )


def test_stock_levels_export_as_streamed_csv(tenant_client, tenant, users):
    _, bin_, variant = setup_stock(tenant)
    with schema_context(tenant.schema_name):
        stock_moves_post(lines=[MoveLine(variant.pk, bin_.pk, Decimal("2.5"))], kind="receipt")
    tenant_client.force_login(users[Role.VIEWER])
    response = tenant_client.get("/inventory/", {"format": "csv", "q": "LAMP"})
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "sku,product,warehouse,location,on_hand,reserved,available"
    assert lines[1] == "LAMP-1,Lamp,MAIN,A-01,2.500,0.000,2.500"
