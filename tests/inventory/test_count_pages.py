from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.services import product_create
from apps.inventory.counts import stock_count_create, stock_count_record
from apps.inventory.models import StockCount, StockLevel, StockMove
from apps.inventory.services import MoveLine, stock_moves_post
from apps.inventory.warehousing import location_create, warehouse_create

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shop(tenant):
    with schema_context(tenant.schema_name):
        warehouse = warehouse_create(code="main", name="Main")
        bin_ = location_create(warehouse=warehouse, code="a-01")
        lamp = product_create(name="Lamp", sku="LAMP-1", barcode="4006381333931").variants.get()
        stock_moves_post(
            lines=[MoveLine(lamp.pk, bin_.pk, Decimal(8), Decimal("2.5"))], kind="receipt"
        )
        return {"warehouse": warehouse, "bin": bin_, "lamp": lamp}


def open_count(tenant, shop, **kwargs) -> StockCount:
    with schema_context(tenant.schema_name):
        return stock_count_create(warehouse=shop["warehouse"], **kwargs)


def test_clerk_opens_a_count_and_scans_items(tenant_client, tenant, users, shop):
    tenant_client.force_login(users[Role.CLERK])
    warehouse_page = tenant_client.get(f"/inventory/warehouses/{shop['warehouse'].pk}/")
    assert (
        f"/inventory/counts/new/?warehouse={shop['warehouse'].pk}"
        in warehouse_page.content.decode()
    )
    form = tenant_client.get("/inventory/counts/new/", {"warehouse": shop["warehouse"].pk})
    assert f'<option value="{shop["warehouse"].pk}" selected>' in form.content.decode()
    response = tenant_client.post(
        "/inventory/counts/new/", {"warehouse": shop["warehouse"].pk, "note": "Monthly"}
    )
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        count = StockCount.objects.get(note="Monthly")
    url = f"/inventory/counts/{count.pk}/"
    assert response["Location"] == url
    scan = {"code": "4006381333931", "location": shop["bin"].pk}
    tenant_client.post(url + "scan/", scan, **HTMX)
    response = tenant_client.post(url + "scan/", {**scan, "quantity": "2"}, **HTMX)
    assert response.status_code == 200
    assert "LAMP-1 at A-01: 3 counted." in response.content.decode()
    assert "countChanged" in response["HX-Trigger"]
    unknown = tenant_client.post(url + "scan/", {**scan, "code": "NOPE"}, **HTMX)
    assert unknown.status_code == 422
    assert "No variant has the barcode or SKU “NOPE”" in unknown.content.decode()
    assert unknown.content.decode().lstrip().startswith('<div id="scan-result"')
    # Without JavaScript the scan box still works: it redirects back with a message.
    plain = tenant_client.post(url + "scan/", scan)
    assert plain.status_code == 302 and plain["Location"].startswith(url)
    with schema_context(tenant.schema_name):
        assert count.lines.get().counted_quantity == Decimal(4)


def test_keyed_count_with_a_bad_value_says_why_and_writes_nothing(
    tenant_client, tenant, users, shop
):
    count = open_count(tenant, shop)
    with schema_context(tenant.schema_name):
        line = count.lines.get()
    tenant_client.force_login(users[Role.CLERK])
    url = f"/inventory/counts/{count.pk}/lines/{line.pk}/"
    bad = tenant_client.post(url, {"counted": "-3"}, **HTMX)
    assert bad.status_code == 422 and "cannot go below zero" in bad.content.decode()
    assert 'aria-invalid="true"' in bad.content.decode()
    junk = tenant_client.post(url, {"counted": "abc"}, **HTMX)
    assert junk.status_code == 422 and "“abc” is not a quantity" in junk.content.decode()
    good = tenant_client.post(url, {"counted": "7.5"}, **HTMX)
    assert good.status_code == 200 and 'value="7.5"' in good.content.decode()
    with schema_context(tenant.schema_name):
        line.refresh_from_db()
        assert line.counted_quantity == Decimal("7.5") and line.counted_by == users[Role.CLERK]


def test_blind_count_hides_system_quantities_from_counters(tenant_client, tenant, users, shop):
    count = open_count(tenant, shop, blind=True)
    url = f"/inventory/counts/{count.pk}/"
    tenant_client.force_login(users[Role.CLERK])
    page = tenant_client.get(url).content.decode()
    assert "LAMP-1" in page and ">System<" not in page and ">8<" not in page
    assert "Review variances" not in page
    assert tenant_client.get(url + "review/").status_code == 403
    assert tenant_client.get(url, {"show": "variances"}).status_code == 200
    tenant_client.force_login(users[Role.MANAGER])
    assert ">8<" in tenant_client.get(url).content.decode()
    assert tenant_client.get(url + "review/").status_code == 200


def test_manager_reviews_and_posts_clerk_cannot(tenant_client, tenant, users, shop):
    count = open_count(tenant, shop)
    with schema_context(tenant.schema_name):
        stock_count_record(count=count, variant=shop["lamp"], location=shop["bin"], quantity=6)
    url = f"/inventory/counts/{count.pk}/"
    tenant_client.force_login(users[Role.CLERK])
    assert tenant_client.post(url + "post/").status_code == 403
    assert tenant_client.post(url + "cancel/").status_code == 403
    tenant_client.force_login(users[Role.MANAGER])
    review = tenant_client.get(url + "review/").content.decode()
    assert "-5.00" in review  # 2 missing × 2.50
    assert tenant_client.post(url + "post/").status_code == 302
    with schema_context(tenant.schema_name):
        assert StockLevel.objects.get(variant=shop["lamp"]).on_hand == Decimal(6)
        assert StockMove.objects.filter(kind="count").count() == 1
    again = tenant_client.post(url + "post/", follow=True).content.decode()
    assert "is posted; it can no longer be changed" in again


def test_cancel_keeps_stock_as_it_was(tenant_client, tenant, users, shop):
    count = open_count(tenant, shop)
    tenant_client.force_login(users[Role.OWNER])
    assert tenant_client.post(f"/inventory/counts/{count.pk}/cancel/").status_code == 302
    with schema_context(tenant.schema_name):
        assert StockCount.objects.get(pk=count.pk).status == "cancelled"
        assert not StockMove.objects.filter(kind="count").exists()


def test_count_sheet_is_a_pdf_and_blind_sheets_hide_quantities(tenant_client, tenant, users, shop):
    count = open_count(tenant, shop, blind=True)
    tenant_client.force_login(users[Role.CLERK])
    response = tenant_client.get(f"/inventory/counts/{count.pk}/sheet.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    with schema_context(tenant.schema_name):
        lines = list(count.lines.select_related("variant__product", "location"))
        blind = render_to_string(
            "inventory/count_sheet.html",
            {"count": count, "lines": lines, "show_quantities": False},
        )
        open_ = render_to_string(
            "inventory/count_sheet.html",
            {"count": count, "lines": lines, "show_quantities": True},
        )
    assert "LAMP-1" in blind and "System" not in blind and ">8<" not in blind
    assert "System" in open_ and ">8<" in open_


def test_viewer_cannot_open_or_scan(tenant_client, tenant, users, shop):
    count = open_count(tenant, shop)
    tenant_client.force_login(users[Role.VIEWER])
    assert tenant_client.get("/inventory/counts/new/").status_code == 403
    assert (
        tenant_client.post(f"/inventory/counts/{count.pk}/scan/", {"code": "x"}).status_code == 403
    )
    assert tenant_client.get(f"/inventory/counts/{count.pk}/").status_code == 200


def test_count_pages_have_a_fixed_query_count(tenant_client, tenant, users, shop):
    tenant_client.force_login(users[Role.MANAGER])

    def queries(url, **params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert tenant_client.get(url, {"per_page": 100, **params}).status_code == 200
        return len(ctx.captured_queries)

    count = open_count(tenant, shop)
    detail = f"/inventory/counts/{count.pk}/"
    queries("/inventory/counts/")
    few = [queries("/inventory/counts/"), queries(detail), queries(detail + "review/", show="all")]
    with schema_context(tenant.schema_name):
        for n in range(30):
            v = product_create(name=f"P{n}", sku=f"P-{n}").variants.get()
            stock_moves_post(lines=[MoveLine(v.pk, shop["bin"].pk, Decimal(2))], kind="receipt")
        for _ in range(5):
            stock_count_create(warehouse=shop["warehouse"])
        big = stock_count_create(warehouse=shop["warehouse"])
        for line in big.lines.all()[:10]:
            stock_count_record(count=big, variant=line.variant, location=line.location, quantity=1)
    detail = f"/inventory/counts/{big.pk}/"
    many = [queries("/inventory/counts/"), queries(detail), queries(detail + "review/", show="all")]
    assert many == few
    assert "P-29" in tenant_client.get(detail, {"q": "P-29"}).content.decode()


def test_count_list_searches_filters_and_answers_htmx_with_its_table(
    tenant_client, tenant, users, shop
):
    first = open_count(tenant, shop, note="Front shelves")
    second = open_count(tenant, shop, note="Back room")
    with schema_context(tenant.schema_name):
        from apps.inventory.counts import stock_count_cancel

        stock_count_cancel(count=second)
    tenant_client.force_login(users[Role.CLERK])
    page = tenant_client.get("/inventory/counts/", {"q": "front"}).content.decode()
    assert first.number in page and second.number not in page
    page = tenant_client.get("/inventory/counts/", {"status": "cancelled"}).content.decode()
    assert second.number in page and first.number not in page
    partial = tenant_client.get(
        "/inventory/counts/", {"q": first.number}, HTTP_HX_TARGET="count-table", **HTMX
    ).content.decode()
    assert partial.lstrip().startswith('<div id="count-table"') and first.number in partial
    empty = tenant_client.get("/inventory/counts/", {"q": "zzz"}).content.decode()
    assert "No count matches" in empty


def test_bad_count_input_is_answered_in_words_never_a_server_error(
    tenant_client, tenant, users, shop
):
    with schema_context(tenant.schema_name):
        other = warehouse_create(code="east", name="East")
        other_bin = location_create(warehouse=other, code="e-1")
    tenant_client.force_login(users[Role.MANAGER])
    wrong_zone = tenant_client.post(
        "/inventory/counts/new/", {"warehouse": shop["warehouse"].pk, "zone": other_bin.pk}
    )
    assert wrong_zone.status_code == 422
    assert "EAST/E-1 is not in MAIN: choose a zone inside it." in wrong_zone.content.decode()
    assert tenant_client.post("/inventory/counts/new/", {}).status_code == 422
    count = open_count(tenant, shop)
    scan = f"/inventory/counts/{count.pk}/scan/"
    junk = tenant_client.post(
        scan, {"code": "LAMP-1", "location": shop["bin"].pk, "quantity": "abc"}, **HTMX
    )
    assert junk.status_code == 422 and "“abc” is not a quantity" in junk.content.decode()
    outside = tenant_client.post(scan, {"code": "LAMP-1", "location": other_bin.pk}, **HTMX)
    assert outside.status_code == 422 and "is not part of" in outside.content.decode()
    nowhere = tenant_client.post(scan, {"code": "LAMP-1", "location": "x"}, **HTMX)
    assert nowhere.status_code == 422 and "Choose the location" in nowhere.content.decode()
    other_count = open_count(tenant, shop)
    with schema_context(tenant.schema_name):
        foreign_line = other_count.lines.get()
    assert (
        tenant_client.post(
            f"/inventory/counts/{count.pk}/lines/{foreign_line.pk}/", {"counted": "1"}
        ).status_code
        == 404
    )
    nothing = tenant_client.post(f"/inventory/counts/{count.pk}/post/", follow=True)
    assert "Nothing has been counted yet" in nothing.content.decode()
