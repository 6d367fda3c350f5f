"""The sales pages: list, form, order page and actions, pick lists, scan, ship, invoices,
returns, PDFs; query budgets and role rules."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.inventory.models import StockLevel
from apps.sales.models import Invoice, PickList, SalesOrder, Shipment
from apps.sales.services import LineInput, sales_order_confirm
from apps.sales.shipping import ShipItem, shipment_create

from .conftest import D, receive

Status = SalesOrder.Status


def in_schema(tenant):
    return schema_context(tenant.schema_name)


def count_queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries), response.content.decode()


def test_order_list_has_tabs_and_a_fixed_query_count(web, tenant, selling, make_order):
    with in_schema(tenant):
        make_order()
    client = web.login_as(Role.MANAGER)
    one, body = count_queries(client, "/sales/")
    assert "Ada Shop" in body and "Backordered" in body
    with in_schema(tenant):
        for _ in range(30):
            make_order()
    many, body = count_queries(client, "/sales/?sort=-total")
    assert many <= one and "Page 1 of 2" in body


def test_order_list_search_filters_and_htmx_partial(web, tenant, selling, make_order):
    with in_schema(tenant):
        receive(selling["shirt"], selling["a2"], 10)
        draft = make_order(LineInput(selling["mug"].pk, D(1)), channel="web")
        shipped = sales_order_confirm(order=make_order(LineInput(selling["shirt"].pk, D(2))))
        shipment_create(order=shipped, carrier="ups", tracking_number="1ZTRACK")
    client = web.login_as(Role.CLERK)
    body = client.get("/sales/?q=1ztrack").content.decode()
    assert shipped.number in body and draft.number not in body
    body = client.get("/sales/?q=MUG-1").content.decode()
    assert draft.number in body and shipped.number not in body
    body = client.get("/sales/?status=shipped").content.decode()
    assert shipped.number in body and draft.number not in body
    body = client.get(f"/sales/?channel=web&warehouse=&from=bad&customer={selling['customer'].pk}")
    assert draft.number in body.content.decode()
    assert "No orders match" in client.get("/sales/?q=nothing-like-it").content.decode()
    partial = client.get(
        "/sales/?status=draft", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="order-table"
    )
    assert "<html" not in partial.content.decode() and draft.number in partial.content.decode()


def test_empty_list_invites_to_create(web):
    body = web.login_as(Role.CLERK).get("/sales/").content.decode()
    assert "No sales orders yet" in body and "New order" in body


def test_order_page_query_budget_is_fixed_whatever_the_lines(web, tenant, selling, make_order):
    from apps.catalog.services import product_create

    with in_schema(tenant):
        small = make_order(LineInput(selling["shirt"].pk, D(1)))
        variants = [
            product_create(name=f"Pin {i}", sku=f"PIN-{i}", sale_price=D(1)).variants.get()
            for i in range(20)
        ]
        for v in variants:
            receive(v, selling["a2"], 5)
        big = sales_order_confirm(order=make_order(*[LineInput(v.pk, D(2)) for v in variants]))
        shipment_create(order=big, carrier="dhl", tracking_number="99")
    client = web.login_as(Role.MANAGER)
    few, _ = count_queries(client, f"/sales/orders/{small.pk}/")
    many, page = count_queries(client, f"/sales/orders/{big.pk}/")
    assert many <= few + 2  # shipments, moves and invoices sections appear once each
    assert "PIN-19" in page and "Stock effects" in page


def test_clerk_creates_confirms_picks_ships_and_sees_stock_go_down(web, tenant, selling):
    with in_schema(tenant):
        receive(selling["shirt"], selling["a2"], 10)
    client = web.login_as(Role.CLERK)
    assert client.get("/sales/orders/new/").status_code == 200
    response = client.post(
        "/sales/orders/new/",
        {
            "customer": selling["customer"].pk,
            "channel": "phone",
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-0-code": "4006381333931",  # the shirt, scanned by barcode
            "lines-0-quantity": "3",
            "lines-1-code": "",
        },
    )
    assert response.status_code == 302
    with in_schema(tenant):
        order = SalesOrder.objects.get()
        assert order.total == D("54.00")
    url = f"/sales/orders/{order.pk}/"
    assert client.post(url + "confirm/").status_code == 302
    response = client.post(url + "pick/")
    with in_schema(tenant):
        pick_list = PickList.objects.get()
        line = pick_list.lines.get()
    assert response["Location"] == f"/sales/pick-lists/{pick_list.pk}/"
    assert "Bin A-2" in client.get(response["Location"]).content.decode()
    scan = f"/sales/pick-lists/{pick_list.pk}/scan/"
    assert "Go to bin" in client.get(scan).content.decode()
    wrong = client.post(scan, {"line": line.pk, "bin_code": "A-10", "item_code": "SHIRT-M"})
    assert wrong.status_code == 422 and "Wrong bin" in wrong.content.decode()
    assert (
        client.post(scan, {"line": line.pk, "bin_code": "A-2", "item_code": "SHIRT-M"}).status_code
        == 302
    )
    assert "Everything on this list is picked" in client.get(scan).content.decode()
    assert client.post(url + "pack/").status_code == 302
    response = client.post(
        url + "ship/",
        {
            f"qty-{line.order_line_id}": "3",
            "carrier": "fedex",
            "tracking_number": "7712",
            "packages": "1",
        },
    )
    assert response.status_code == 302
    with in_schema(tenant):
        order.refresh_from_db()
        level = StockLevel.objects.get(variant=selling["shirt"], location=selling["a2"])
    assert order.status == Status.SHIPPED
    assert (level.on_hand, level.reserved) == (D(7), D(0))
    body = client.get(url).content.decode()
    for step in ("Created", "Confirmed", "Stock reserved", "Picking started", "Packed", "Shipped"):
        assert step in body
    assert "https://www.fedex.com/fedextrack/?trknbr=7712" in body


def test_bad_order_form_input_is_refused_in_words(web, selling):
    client = web.login_as(Role.CLERK)
    response = client.post(
        "/sales/orders/new/",
        {
            "customer": selling["customer"].pk,
            "channel": "manual",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-code": "NO-SUCH",
            "lines-0-quantity": "1",
        },
    )
    assert response.status_code == 422
    assert "No variant has the SKU or barcode “NO-SUCH”" in response.content.decode()
    response = client.post(
        "/sales/orders/new/",
        {
            "customer": selling["customer"].pk,
            "channel": "manual",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-code": "MUG-1",
            "lines-0-quantity": "1",
            "lines-0-unit_price": "1.00",
        },
    )
    assert response.status_code == 422 and "only a manager or owner" in response.content.decode()


def test_viewer_cannot_act_and_clerk_cannot_cancel_a_shipped_order(
    web, tenant, selling, make_order
):
    with in_schema(tenant):
        receive(selling["shirt"], selling["a2"], 5)
        order = sales_order_confirm(order=make_order(LineInput(selling["shirt"].pk, D(1))))
        shipment_create(order=order)
    viewer = web.login_as(Role.VIEWER)
    assert viewer.get(f"/sales/orders/{order.pk}/").status_code == 200
    assert viewer.post(f"/sales/orders/{order.pk}/deliver/").status_code == 403
    assert viewer.get("/sales/orders/new/").status_code == 403
    clerk = web.login_as(Role.CLERK)
    response = clerk.post(f"/sales/orders/{order.pk}/cancel/", follow=True)
    assert "create a return instead" in response.content.decode()
    with in_schema(tenant):
        assert SalesOrder.objects.get(pk=order.pk).status == Status.SHIPPED
    assert clerk.get(f"/sales/orders/{order.pk}/return/").status_code == 403  # managers only


def test_invoice_payment_return_and_pdfs(web, tenant, selling, make_order):
    with in_schema(tenant):
        receive(selling["mug"], selling["a2"], 5)
        order = sales_order_confirm(order=make_order(LineInput(selling["mug"].pk, D(2))))
        shipment = shipment_create(order=order)
    client = web.login_as(Role.MANAGER)
    url = f"/sales/orders/{order.pk}/"
    response = client.post(url + "invoice/")
    with in_schema(tenant):
        invoice = Invoice.objects.get()
    assert response["Location"] == f"/sales/invoices/{invoice.pk}/"
    too_much = client.post(
        f"/sales/invoices/{invoice.pk}/payment/", {"amount": "99", "method": "bank"}
    )
    assert too_much.status_code == 422 and "14.38 USD open" in too_much.content.decode()
    client.post(f"/sales/invoices/{invoice.pk}/payment/", {"amount": "14.38", "method": "card"})
    assert "Paid" in client.get(f"/sales/invoices/{invoice.pk}/").content.decode()
    with in_schema(tenant):
        line = order.lines.get()
    assert client.get(url + "return/").status_code == 200
    response = client.post(
        url + "return/",
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-line_id": line.pk,
            "lines-0-quantity": "1",
            "lines-0-disposition": "restock",
            "reason": "Chipped",
        },
    )
    assert response.status_code == 302
    with in_schema(tenant):
        rma = order.returns.get()
        assert StockLevel.objects.get(variant=selling["mug"], location=selling["a2"]).on_hand == D(
            4
        )
    for pdf in (
        f"/sales/invoices/{invoice.pk}/pdf/",
        f"/sales/shipments/{shipment.pk}/packing-slip/",
        f"/sales/returns/{rma.pk}/credit-note/",
    ):
        response = client.get(pdf)
        assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_batched_pick_list_from_the_list_and_its_pdf(web, tenant, selling, make_order):
    with in_schema(tenant):
        receive(selling["mug"], selling["a2"], 10)
        a = sales_order_confirm(order=make_order(LineInput(selling["mug"].pk, D(2))))
        b = sales_order_confirm(order=make_order(LineInput(selling["mug"].pk, D(3))))
    client = web.login_as(Role.CLERK)
    response = client.post("/sales/orders/pick/", {"orders": [a.pk, b.pk]})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert a.number in body and b.number in body and "<strong>5</strong>" in body
    pdf = client.get(response["Location"] + "pdf/")
    assert pdf.content.startswith(b"%PDF")
    response = client.post("/sales/orders/pick/", {"orders": [a.pk]}, follow=True)
    assert "Nothing to pick" in response.content.decode()


def test_ship_from_tracking_csv_reports_each_row(web, tenant, selling, make_order):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with in_schema(tenant):
        receive(selling["mug"], selling["a2"], 10)
        ready = sales_order_confirm(order=make_order(LineInput(selling["mug"].pk, D(2))))
        draft = make_order()
    csv_text = (
        "order,carrier,tracking_number\n"
        f"{ready.number},usps,9400\n{draft.number},usps,1\nSO-NOPE,ups,2\n"
    )
    client = web.login_as(Role.CLERK)
    response = client.post(
        "/sales/orders/ship-csv/",
        {"file": SimpleUploadedFile("t.csv", csv_text.encode(), content_type="text/csv")},
    )
    body = response.content.decode()
    assert "is draft, so it cannot be shipped" in body and "No order has this number" in body
    with in_schema(tenant):
        assert Shipment.objects.get().tracking_number == "9400"
        assert SalesOrder.objects.get(pk=ready.pk).status == Status.SHIPPED


def test_order_form_product_search_shows_availability(web, tenant, selling):
    with in_schema(tenant):
        receive(selling["shirt"], selling["a2"], 4)
    client = web.login_as(Role.CLERK)
    body = client.get("/sales/variants/?q=shir", HTTP_HX_REQUEST="true").content.decode()
    assert "SHIRT-M" in body and "4 available" in body and "MUG-1" not in body
    assert '<option value="SHIRT-M">' in body
    assert "at least two letters" in client.get("/sales/variants/?q=s").content.decode()
    assert web.login_as(Role.VIEWER).get("/sales/variants/?q=shir").status_code == 403


def test_status_tab_counts_follow_status_changes(web, tenant, selling, make_order):
    import re

    def tab(body, label):
        return int(re.search(rf">{label} <span class=\"badge[^>]*>(\d+)<", body).group(1))

    with in_schema(tenant):
        receive(selling["shirt"], selling["a2"], 5)
        order = make_order(LineInput(selling["shirt"].pk, D(1)))
    client = web.login_as(Role.CLERK)
    body = client.get("/sales/").content.decode()
    assert (tab(body, "Draft"), tab(body, "Confirmed")) == (1, 0)
    assert client.post(f"/sales/orders/{order.pk}/confirm/").status_code == 302
    body = client.get("/sales/").content.decode()  # the cached counts were dropped
    assert (tab(body, "Draft"), tab(body, "Confirmed"), tab(body, "Open")) == (0, 1, 1)


def test_invoice_one_shipment_from_the_order_page(web, tenant, selling, make_order):
    with in_schema(tenant):
        receive(selling["mug"], selling["a2"], 5)
        order = sales_order_confirm(order=make_order(LineInput(selling["mug"].pk, D(3))))
        line = order.lines.get()
        first = shipment_create(order=order, items=[ShipItem(line.pk, D(1))])
        shipment_create(order=order)
    client = web.login_as(Role.CLERK)
    page = client.get(f"/sales/orders/{order.pk}/").content.decode()
    assert f'Invoice<span class="visually-hidden"> {first.number}' in page
    client.post(f"/sales/orders/{order.pk}/invoice/", {"shipment": first.pk})
    with in_schema(tenant):
        invoice = Invoice.objects.get()
    assert invoice.shipment_id == first.pk and invoice.total == D("7.19")
    page = client.get(f"/sales/orders/{order.pk}/").content.decode()
    assert f'Invoice<span class="visually-hidden"> {first.number}' not in page


def test_pick_lists_page_pages_and_filters_by_status(web, tenant, selling, make_order):
    with in_schema(tenant):
        receive(selling["mug"], selling["a2"], 50)
        orders = [
            sales_order_confirm(order=make_order(LineInput(selling["mug"].pk, D(1))))
            for _ in range(3)
        ]
        from apps.sales.picking import pick_lists_create

        for order in orders:
            pick_lists_create(orders=[order])
        PickList.objects.filter(pk=PickList.objects.order_by("id").first().pk).update(status="done")
    client = web.login_as(Role.VIEWER)
    body = client.get("/sales/pick-lists/").content.decode()
    assert body.count("Pick list ") >= 3
    body = client.get("/sales/pick-lists/?status=done").content.decode()
    assert body.count('<span class="visually-hidden"> of pick list') == 1
    empty = client.get("/sales/pick-lists/?status=cancelled").content.decode()
    assert "No pick lists with this status" in empty


def test_tracking_csv_without_the_columns_is_refused_in_words(web):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = web.login_as(Role.CLERK).post(
        "/sales/orders/ship-csv/",
        {"file": SimpleUploadedFile("t.csv", b"a,b\n1,2\n", content_type="text/csv")},
    )
    assert response.status_code == 422
    assert "must name the columns order, carrier and tracking_number" in response.content.decode()
