from decimal import Decimal

from apps.inventory.services import MoveLine, stock_moves_post
from apps.inventory.transfers import TransferItem, transfer_create, transfer_receive, transfer_ship
from apps.inventory.valuation import stock_valuation, stock_valuation_totals
from tests.inventory.conftest import D

CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def worked_example(stock_setup):
    """M: 10 @ 4.00 into MAIN, 10 @ 6.00 into EAST (average 5.00); 5 shipped from MAIN
    (FIFO takes them from the 4.00 layer: open layers 5 @ 4 + 10 @ 6 = 80 for 15 units).
    L: 4 @ 2.50 into MAIN."""
    m, l_ = stock_setup["variants"]["m"], stock_setup["variants"]["l"]
    main, east = stock_setup["bins"]["main"], stock_setup["bins"]["east"]
    stock_moves_post(lines=[MoveLine(m.pk, main.pk, D(10), D(4))], kind="receipt")
    stock_moves_post(lines=[MoveLine(m.pk, east.pk, D(10), D(6))], kind="receipt")
    stock_moves_post(lines=[MoveLine(m.pk, main.pk, D(-5))], kind="shipment")
    stock_moves_post(lines=[MoveLine(l_.pk, main.pk, D(4), D("2.5"))], kind="receipt")
    return m, l_


def test_value_per_variant_by_moving_average_and_fifo(stock_setup):
    worked_example(stock_setup)
    rows = {r["variant__sku"]: r for r in stock_valuation(group="variant")}
    m, l_ = rows["SHOE-M"], rows["SHOE-L"]
    assert (m["quantity"], money(m["average_value"]), money(m["fifo_value"])) == (
        D(15),
        D(75),
        D(80),
    )
    assert (l_["quantity"], money(l_["average_value"]), money(l_["fifo_value"])) == (
        D(4),
        D(10),
        D(10),
    )
    totals = stock_valuation_totals()
    assert (totals["quantity"], money(totals["average_value"]), money(totals["fifo_value"])) == (
        D(19),
        D(85),
        D(90),
    )


def test_value_per_warehouse_shares_the_variants_fifo_layers(stock_setup):
    worked_example(stock_setup)
    rows = {r["location__warehouse__code"]: r for r in stock_valuation(group="warehouse")}
    # MAIN: 5 M (25 average; 5 × 80/15 = 26.67 FIFO) + 4 L (10); EAST: 10 M (50; 53.33).
    assert (money(rows["MAIN"]["average_value"]), money(rows["MAIN"]["fifo_value"])) == (
        D(35),
        D("36.67"),
    )
    assert (money(rows["EAST"]["average_value"]), money(rows["EAST"]["fifo_value"])) == (
        D(50),
        D("53.33"),
    )
    east_only = stock_valuation_totals(warehouse_id=stock_setup["bins"]["east"].warehouse_id)
    assert money(east_only["fifo_value"]) == D("53.33")
    both = {
        (r["variant__sku"], r["location__warehouse__code"]): money(r["average_value"])
        for r in stock_valuation(group="variant_warehouse")
    }
    assert both == {("SHOE-M", "MAIN"): D(25), ("SHOE-M", "EAST"): D(50), ("SHOE-L", "MAIN"): D(10)}


def test_a_transfer_moves_value_between_warehouses_without_changing_the_total(stock_setup):
    m, _ = worked_example(stock_setup)
    main = stock_setup["bins"]["main"]
    east = stock_setup["bins"]["east"]
    transfer = transfer_create(
        source=main.warehouse, destination=east.warehouse, items=[TransferItem(m.pk, main.pk, D(5))]
    )
    transfer_ship(transfer=transfer)
    transfer_receive(transfer=transfer, location=east)
    rows = {r["location__warehouse__code"]: r for r in stock_valuation(group="warehouse")}
    assert money(rows["EAST"]["fifo_value"]) == D(80) and money(rows["MAIN"]["fifo_value"]) == D(10)
    assert money(stock_valuation_totals()["fifo_value"]) == D(90)


def test_valuation_page_uses_the_company_method_exports_csv_and_has_a_fixed_query_count(
    tenant_client, tenant, users, stock_setup
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.models import Role
    from apps.catalog.models import Product, Variant

    worked_example(stock_setup)
    main = stock_setup["bins"]["main"]
    tenant.valuation_method = "fifo"
    tenant.save(update_fields=["valuation_method"])
    connection.set_schema_to_public()
    tenant_client.force_login(users[Role.CLERK])

    def get(**params):
        with CaptureQueriesContext(connection) as ctx:
            response = tenant_client.get("/inventory/valuation/", {"per_page": 100, **params})
            assert response.status_code == 200
        return response.content.decode(), len(ctx.captured_queries)

    get()
    page, few = get()
    assert '<option value="fifo" selected>' in page and "90.00" in page and "85.00" in page
    csv = tenant_client.get("/inventory/valuation/", {"format": "csv", "group": "warehouse"})
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "warehouse,quantity,moving_average_value,fifo_value"
    assert "EAST,10.000,50.00,53.33" in lines
    from django_tenants.utils import schema_context

    with schema_context(tenant.schema_name):
        product = Product.objects.create(name="Bulk")
        for n in range(30):
            v = Variant.objects.create(product=product, sku=f"B-{n}")
            stock_moves_post(lines=[MoveLine(v.pk, main.pk, D(1), D(1))], kind="receipt")
    for group in ("variant", "warehouse", "variant_warehouse"):
        assert get(group=group)[1] == few
    assert "B-29" in get(q="B-29")[0]
    tenant_client.force_login(users[Role.VIEWER])
    assert tenant_client.get("/inventory/valuation/").status_code == 200
    assert tenant_client.get("/inventory/valuation/", {"format": "csv"}).status_code == 403


def test_valuation_filters_by_category_subtree_and_search(stock_setup):
    from apps.catalog.models import Product
    from apps.catalog.services import category_create

    worked_example(stock_setup)
    shoes = category_create(name="Shoes")
    trail = category_create(name="Trail", parent=shoes)
    Product.objects.filter(pk=stock_setup["variants"]["m"].product_id).update(category=trail)
    assert money(stock_valuation_totals(category=shoes)["average_value"]) == D(85)
    assert money(stock_valuation_totals(category=trail)["average_value"]) == D(85)
    other = category_create(name="Hats")
    assert stock_valuation_totals(category=other)["quantity"] == D(0)
    assert [r["variant__sku"] for r in stock_valuation(search="shoe-l")] == ["SHOE-L"]
