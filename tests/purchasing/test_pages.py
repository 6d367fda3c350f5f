from django.core import mail
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.inventory.models import StockLevel
from apps.purchasing.models import PurchaseOrder
from apps.purchasing.services import LineInput, purchase_order_submit

from .conftest import D


def in_schema(tenant):
    return schema_context(tenant.schema_name)


def test_list_page_shows_orders_with_tabs_and_a_fixed_query_count(
    web, tenant, buying, make_order, django_assert_max_num_queries
):
    with in_schema(tenant):
        make_order()
    client = web.login_as(Role.MANAGER)
    with django_assert_max_num_queries(17):
        one = client.get("/purchasing/")
    assert one.status_code == 200 and "Acme Parts" in one.content.decode()
    with in_schema(tenant):
        for _ in range(30):
            make_order()
    with django_assert_max_num_queries(17):
        many = client.get("/purchasing/?sort=-total")
    body = many.content.decode()
    assert many.status_code == 200 and "Page 1 of 2" in body and "Open <span" in body


def test_list_filters_by_status_search_supplier_and_date(web, tenant, buying, make_order):
    with in_schema(tenant):
        draft = make_order()
        approved = purchase_order_submit(order=make_order(LineInput(buying["nut"].pk, D(12))))
    client = web.login_as(Role.CLERK)
    body = client.get("/purchasing/?status=approved").content.decode()
    assert approved.number in body and draft.number not in body
    body = client.get("/purchasing/?q=NUT-1").content.decode()
    assert approved.number in body and draft.number in body  # both order nuts
    body = client.get("/purchasing/?q=nothing-like-this").content.decode()
    assert "No purchase orders match" in body
    body = client.get(
        f"/purchasing/?supplier={buying['supplier'].pk}&from=2000-01-01&to=bad"
    ).content.decode()
    assert draft.number in body
    partial = client.get(
        "/purchasing/?status=draft", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="order-table"
    )
    assert "<html" not in partial.content.decode() and draft.number in partial.content.decode()


def test_empty_list_invites_to_create(web):
    body = web.login_as(Role.CLERK).get("/purchasing/").content.decode()
    assert "No purchase orders yet" in body and "New purchase order" in body


def test_waiting_for_my_approval_badge_and_tab(web, tenant, buying, make_order):
    with in_schema(tenant):
        order = purchase_order_submit(order=make_order(LineInput(buying["bolt"].pk, D(300))))
    body = web.login_as(Role.MANAGER).get("/purchasing/").content.decode()
    assert "waiting for your approval" in body
    assert order.number in web.get("/purchasing/?status=mine").content.decode()
    body = web.login_as(Role.CLERK).get("/purchasing/").content.decode()
    assert "waiting for your approval" not in body


def test_clerk_drafts_an_order_through_the_form(web, tenant, buying):
    client = web.login_as(Role.CLERK)
    assert client.get("/purchasing/orders/new/").status_code == 200
    data = {
        "supplier": buying["supplier"].pk,
        "warehouse": buying["warehouse"].pk,
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-code": "AC-NUT",
        "lines-0-quantity": "7",
        "lines-1-code": "",
        "charges-TOTAL_FORMS": "1",
        "charges-INITIAL_FORMS": "0",
        "charges-0-kind": "freight",
        "charges-0-amount": "10",
        "charges-0-allocation": "value",
        "action": "save",
    }
    refused = client.post("/purchasing/orders/new/", data)
    assert refused.status_code == 422 and "packs of 6" in refused.content.decode()
    unknown = client.post("/purchasing/orders/new/", {**data, "lines-0-code": "NOPE"})
    assert unknown.status_code == 422 and "No variant has" in unknown.content.decode()
    more = client.post("/purchasing/orders/new/", {**data, "action": "more"})
    assert 'name="lines-4-code"' in more.content.decode()
    created = client.post("/purchasing/orders/new/", {**data, "lines-0-quantity": "12"})
    assert created.status_code == 302
    with in_schema(tenant):
        order = PurchaseOrder.objects.get()
        assert order.total == D(22) and order.lines.get().supplier_sku == "AC-NUT"


def test_approval_through_the_page_and_roles(web, tenant, buying, make_order):
    with in_schema(tenant):
        order = purchase_order_submit(order=make_order(LineInput(buying["bolt"].pk, D(300))))
    clerk = web.login_as(Role.CLERK)
    assert "Approve" not in clerk.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert clerk.post(f"/purchasing/orders/{order.pk}/approve/").status_code == 403
    manager = web.login_as(Role.MANAGER)
    page = manager.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert "Waiting for your approval" in page and "Timeline" in page
    response = manager.post(f"/purchasing/orders/{order.pk}/reject/", {"comment": ""}, follow=True)
    assert "Say why the order is rejected" in response.content.decode()
    manager.post(f"/purchasing/orders/{order.pk}/approve/", {"comment": "ok"})
    with in_schema(tenant):
        order.refresh_from_db()
        assert order.status == "approved"
    again = manager.post(f"/purchasing/orders/{order.pk}/approve/", follow=True)
    assert "is approved, so it cannot be approved" in again.content.decode()


def test_viewer_sees_but_cannot_change(web, tenant, make_order):
    with in_schema(tenant):
        order = make_order()
    viewer = web.login_as(Role.VIEWER)
    assert viewer.get(f"/purchasing/orders/{order.pk}/").status_code == 200
    assert viewer.get("/purchasing/orders/new/").status_code == 403
    assert viewer.post(f"/purchasing/orders/{order.pk}/submit/").status_code == 403
    assert viewer.get(f"/purchasing/orders/{order.pk}/receive/").status_code == 403


def test_edit_page_changes_an_approved_order_back_to_approval(web, tenant, buying, make_order):
    with in_schema(tenant):
        order = purchase_order_submit(order=make_order(LineInput(buying["bolt"].pk, D(100))))
    client = web.login_as(Role.CLERK)
    page = client.get(f"/purchasing/orders/{order.pk}/edit/").content.decode()
    assert 'value="BOLT-1"' in page
    response = client.post(
        f"/purchasing/orders/{order.pk}/edit/",
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-code": "BOLT-1",
            "lines-0-quantity": "300",
            "charges-TOTAL_FORMS": "0",
            "charges-INITIAL_FORMS": "0",
            "action": "save",
        },
        follow=True,
    )
    assert "needs approval again" in response.content.decode()
    with in_schema(tenant):
        order.refresh_from_db()
        assert order.status == "awaiting_approval" and order.total == D(1500)


def test_cancel_asks_for_confirmation_first(web, tenant, make_order):
    with in_schema(tenant):
        order = make_order()
    client = web.login_as(Role.CLERK)
    dialog = client.get(f"/purchasing/orders/{order.pk}/confirm/cancel/")
    assert "Cancel the order" in dialog.content.decode()
    client.post(f"/purchasing/orders/{order.pk}/cancel/", {"comment": "Duplicate"})
    with in_schema(tenant):
        order.refresh_from_db()
        assert order.status == "cancelled"


def test_send_page_emails_the_supplier(web, tenant, make_order):
    with in_schema(tenant):
        order = purchase_order_submit(order=make_order())
    client = web.login_as(Role.MANAGER)
    page = client.get(f"/purchasing/orders/{order.pk}/send/").content.decode()
    assert "orders@acme.test" in page
    bad = client.post(
        f"/purchasing/orders/{order.pk}/send/", {"to": "nope", "subject": "PO", "message": "Hi"}
    )
    assert bad.status_code == 422 and "not an email address" in bad.content.decode()
    client.post(
        f"/purchasing/orders/{order.pk}/send/",
        {"to": "orders@acme.test", "subject": "PO", "message": "Hi"},
    )
    assert len(mail.outbox) == 1
    pdf = client.get(f"/purchasing/orders/{order.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert web.login_as(Role.CLERK).get(f"/purchasing/orders/{order.pk}/send/").status_code == 403


def test_clerk_receives_partially_by_scanning(web, tenant, buying, make_order):
    with in_schema(tenant):
        order = purchase_order_submit(order=make_order())
        bolt = order.lines.get(variant=buying["bolt"])
    client = web.login_as(Role.CLERK)
    url = f"/purchasing/orders/{order.pk}/receive/"
    page = client.get(url).content.decode()
    assert "Scan or type" in page
    form = {"location": buying["shelf"].pk, "action": "scan", "code": "4006381333931"}
    first = client.post(url, form, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="receive-form")
    body = first.content.decode()
    assert "<html" not in body and f'name="received-{bolt.pk}" value="1"' in body
    second = client.post(url, {**form, f"received-{bolt.pk}": "1"})
    assert "BOLT-1: 2 scanned of 10 outstanding" in second.content.decode()
    unknown = client.post(url, {**form, "code": "XYZ"})
    assert unknown.status_code == 422 and "has the code “XYZ”" in unknown.content.decode()
    too_many = client.post(
        url, {"location": buying["shelf"].pk, "action": "receive", f"received-{bolt.pk}": "50"}
    )
    assert (
        too_many.status_code == 422
        and "50 would be received of 10 ordered" in too_many.content.decode()
    )
    done = client.post(
        url, {"location": buying["shelf"].pk, "action": "receive", f"received-{bolt.pk}": "2"}
    )
    assert done.status_code == 302
    with in_schema(tenant):
        order.refresh_from_db()
        assert order.status == "partially_received"
        assert StockLevel.objects.get(variant=buying["bolt"], location=buying["shelf"]).on_hand == 2


def test_settings_page_is_for_owners_and_validates(web, tenant):
    assert web.login_as(Role.MANAGER).get("/purchasing/settings/").status_code == 403
    owner = web.login_as(Role.OWNER)
    assert owner.get("/purchasing/settings/").status_code == 200
    bad = owner.post(
        "/purchasing/settings/",
        {
            "number_prefix": "P O",
            "approval_threshold": "-5",
            "over_receipt_tolerance_percent": "500",
            "replenishment_mode": "off",
            "ordering_cost": "25",
            "holding_cost_rate": "20",
        },
    )
    body = bad.content.decode()
    assert bad.status_code == 422 and "Use letters" in body and "between 0 and 100" in body
    good = owner.post(
        "/purchasing/settings/",
        {
            "number_prefix": "buy-",
            "approval_threshold": "2500",
            "manager_approval_limit": "",
            "over_receipt_tolerance_percent": "5",
            "replenishment_mode": "drafts",
            "ordering_cost": "30",
            "holding_cost_rate": "18",
        },
    )
    assert good.status_code == 302
    with in_schema(tenant):
        from apps.purchasing.config import purchasing_settings

        s = purchasing_settings()
        assert (s.number_prefix, s.approval_threshold, s.replenishment_mode) == (
            "BUY-",
            2500,
            "drafts",
        )


def test_manager_adds_a_late_charge_on_a_sent_order(web, tenant, make_order):
    with in_schema(tenant):
        order = purchase_order_submit(order=make_order())
        PurchaseOrder.objects.filter(pk=order.pk).update(status="sent")
    client = web.login_as(Role.MANAGER)
    assert "Charges" in client.get(f"/purchasing/orders/{order.pk}/").content.decode()
    response = client.post(
        f"/purchasing/orders/{order.pk}/charges/",
        {
            "charges-TOTAL_FORMS": "1",
            "charges-INITIAL_FORMS": "0",
            "charges-0-kind": "duty",
            "charges-0-amount": "8",
            "charges-0-allocation": "quantity",
        },
    )
    assert response.status_code == 302
    with in_schema(tenant):
        order.refresh_from_db()
        assert order.charges_total == D(8) and order.total == D(88)
    assert (
        web.login_as(Role.CLERK).get(f"/purchasing/orders/{order.pk}/charges/").status_code == 403
    )


def test_clerk_returns_rejected_goods_and_gets_a_debit_note(web, tenant, buying, make_order):
    from apps.purchasing.receiving import ReceiveItem, purchase_order_receive

    with in_schema(tenant):
        order = purchase_order_submit(order=make_order())
        line = order.lines.get(variant=buying["bolt"])
        purchase_order_receive(
            order=order,
            location=buying["shelf"],
            items=[ReceiveItem(line.pk, D(7), D(3), "damaged")],
        )
    client = web.login_as(Role.CLERK)
    url = f"/purchasing/orders/{order.pk}/return/"
    assert "Return rejected" in client.get(url).content.decode()
    no_reason = client.post(url, {"location": buying["shelf"].pk, f"rejected-{line.pk}": "3"})
    assert no_reason.status_code == 422 and "Say why" in no_reason.content.decode()
    done = client.post(
        url, {"location": buying["shelf"].pk, f"rejected-{line.pk}": "3", "reason": "Bent"}
    )
    assert done.status_code == 302
    page = client.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert "Debit note PDF" in page
    with in_schema(tenant):
        note = order.returns.get()
    pdf = client.get(f"/purchasing/returns/{note.pk}/pdf/")
    assert pdf.content.startswith(b"%PDF-")
    assert web.login_as(Role.VIEWER).get(url).status_code == 403


def test_an_htmx_receipt_sends_the_browser_to_the_order_page(web, tenant, buying, make_order):
    with in_schema(tenant):
        order = purchase_order_submit(order=make_order())
        bolt = order.lines.get(variant=buying["bolt"])
    response = web.login_as(Role.CLERK).post(
        f"/purchasing/orders/{order.pk}/receive/",
        {"location": buying["shelf"].pk, "action": "receive", f"received-{bolt.pk}": "1"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="receive-form",
    )
    assert response["HX-Redirect"] == f"/purchasing/orders/{order.pk}/"


def test_order_page_is_a_fixed_number_of_queries(
    web, tenant, buying, make_order, django_assert_max_num_queries
):
    from apps.catalog.models import SupplierItem
    from apps.catalog.services import product_create

    with in_schema(tenant):
        small = make_order(LineInput(buying["bolt"].pk, D(1)))
        variants = [
            product_create(name=f"Pin {i}", sku=f"PIN-{i}").variants.get() for i in range(20)
        ]
        for v in variants:
            SupplierItem.objects.create(supplier=buying["supplier"], variant=v, cost=D(1))
        big = purchase_order_submit(order=make_order(*[LineInput(v.pk, D(2)) for v in variants]))
    client = web.login_as(Role.MANAGER)
    with django_assert_max_num_queries(20):
        assert client.get(f"/purchasing/orders/{small.pk}/").status_code == 200
    with django_assert_max_num_queries(20):
        page = client.get(f"/purchasing/orders/{big.pk}/").content.decode()
    assert "PIN-19" in page


def test_receive_page_takes_a_delivery_charge(web, tenant, buying, make_order):
    with in_schema(tenant):
        order = purchase_order_submit(order=make_order())
        bolt = order.lines.get(variant=buying["bolt"])
    client = web.login_as(Role.CLERK)
    url = f"/purchasing/orders/{order.pk}/receive/"
    form = {"location": buying["shelf"].pk, "action": "receive", f"received-{bolt.pk}": "5"}
    bad = client.post(url, {**form, "charge-amount": "lots"})
    assert bad.status_code == 422 and "charge as an amount" in bad.content.decode()
    ok = client.post(
        url, {**form, "charge-amount": "10", "charge-kind": "freight", "charge-allocation": "value"}
    )
    assert ok.status_code == 302
    with in_schema(tenant):
        from apps.inventory.models import StockMove

        assert StockMove.objects.get(variant=buying["bolt"]).unit_cost == D(7)  # 5 + 10 / 5
