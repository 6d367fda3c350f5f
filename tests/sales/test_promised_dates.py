"""The promised ship date on sales orders: default, validation, screens and API."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.sales.config import sales_settings
from apps.sales.errors import SalesError
from apps.sales.models import SalesOrder
from apps.sales.services import LineInput, sales_order_update

from .conftest import D


def test_default_is_the_order_date_plus_the_handling_days(selling, make_order):
    assert make_order(order_date=date(2026, 3, 2)).promised_date == date(2026, 3, 4)
    settings = sales_settings()
    settings.default_handling_days = 5
    settings.save()
    assert make_order(order_date=date(2026, 3, 2)).promised_date == date(2026, 3, 7)
    chosen = make_order(order_date=date(2026, 3, 2), promised_date=date(2026, 3, 2))
    assert chosen.promised_date == date(2026, 3, 2)  # the same day is a fine promise


def test_a_promise_before_the_order_date_is_refused_and_nothing_changes(selling, make_order):
    with pytest.raises(SalesError, match=r"cannot be before the order date \(2026-03-02\)"):
        make_order(order_date=date(2026, 3, 2), promised_date=date(2026, 3, 1))
    assert not SalesOrder.objects.exists()
    order = make_order(order_date=date(2026, 3, 2))
    with pytest.raises(SalesError, match="cannot be before"):
        sales_order_update(
            order=order,
            lines=[LineInput(selling["shirt"].pk, D(9))],
            promised_date=date(2026, 2, 1),
        )
    order.refresh_from_db()
    assert order.promised_date == date(2026, 3, 4) and order.lines.count() == 2
    sales_order_update(
        order=order, lines=[LineInput(selling["shirt"].pk, D(1))], promised_date=date(2026, 3, 9)
    )
    order.refresh_from_db()
    assert order.promised_date == date(2026, 3, 9)


def test_set_on_the_form_and_shown_on_the_list_and_the_order(web, tenant, selling):
    clerk = web.login_as(Role.CLERK)
    today = timezone.localdate()
    form = {
        "customer": selling["customer"].pk,
        "channel": "phone",
        "promised_date": (today + timedelta(days=6)).isoformat(),
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-code": "SHIRT-M",
        "lines-0-quantity": "1",
    }
    bad = clerk.post("/sales/orders/new/", {**form, "promised_date": "2000-01-01"})
    assert bad.status_code == 422 and "cannot be before the order date" in bad.content.decode()
    assert clerk.post("/sales/orders/new/", form).status_code == 302
    with schema_context(tenant.schema_name):
        order = SalesOrder.objects.get()
        assert order.promised_date == today + timedelta(days=6)
        # An open order whose promise has passed is flagged late on the list and its page.
        SalesOrder.objects.filter(pk=order.pk).update(
            status="confirmed", promised_date=today - timedelta(days=1)
        )
    listing = clerk.get("/sales/").content.decode()
    assert (today - timedelta(days=1)).isoformat() in listing and ">Late</span>" in listing
    page = clerk.get(f"/sales/orders/{order.pk}/").content.decode()
    assert "Promised to ship by" in page and ">Late</span>" in page


def test_promised_date_and_rate_over_the_api(api_as, tenant, selling):
    api = api_as(Role.CLERK, ["sales:write"])
    body = {
        "customer": selling["customer"].pk,
        "promised_date": "2099-01-31",
        "lines": [{"sku": "SHIRT-M", "quantity": "1"}],
    }
    created = api.post("/api/orders/", body)
    assert created.status_code == 201, created.content
    assert created.json_body["promised_date"] == "2099-01-31"
    assert created.json_body["exchange_rate"] == "1.000000"
    detail = api.get(f"/api/orders/{created.json_body['id']}/").json_body
    assert detail["promised_date"] == "2099-01-31"
    refused = api.post("/api/orders/", {**body, "promised_date": "2000-01-01"})
    assert refused.status_code == 400
    assert "cannot be before the order date" in refused.json_body["error"]["message"]
    garbled = api.post("/api/orders/", {**body, "promised_date": "soon"})
    assert garbled.status_code == 400
    with schema_context(tenant.schema_name):
        assert SalesOrder.objects.count() == 1


def test_an_open_order_gets_a_new_promise_with_a_timeline_entry(selling, make_order):
    from apps.sales.services import sales_order_cancel, sales_order_confirm, sales_order_promise

    order = sales_order_confirm(order=make_order(order_date=date(2026, 3, 2)))  # backordered
    sales_order_promise(order=order, promised_date=date(2026, 3, 20))
    order.refresh_from_db()
    assert order.promised_date == date(2026, 3, 20)
    assert order.events.last().message == "Promised to ship by 2026-03-20 (was 2026-03-04)"
    with pytest.raises(SalesError, match="cannot be before the order date"):
        sales_order_promise(order=order, promised_date=date(2026, 3, 1))
    sales_order_cancel(order=order)
    with pytest.raises(SalesError, match="is cancelled, so it cannot be given a new promised"):
        sales_order_promise(order=order, promised_date=date(2026, 3, 25))
    order.refresh_from_db()
    assert order.promised_date == date(2026, 3, 20)


def test_the_order_page_changes_the_promise(web, tenant, selling):
    from apps.sales.services import sales_order_confirm, sales_order_create

    with schema_context(tenant.schema_name):
        order = sales_order_confirm(
            order=sales_order_create(
                customer=selling["customer"], lines=[LineInput(selling["shirt"].pk, D(1))]
            )
        )
    url = f"/sales/orders/{order.pk}/promise/"
    assert web.login_as(Role.VIEWER).post(url, {"promised_date": "2099-01-01"}).status_code == 403
    clerk = web.login_as(Role.CLERK)
    assert f'action="{url}"' in clerk.get(f"/sales/orders/{order.pk}/").content.decode()
    page = clerk.post(url, {"promised_date": "soon"}, follow=True).content.decode()
    assert "Enter the promised date as a date" in page
    page = clerk.post(url, {"promised_date": "2099-01-01"}, follow=True).content.decode()
    assert "promised to ship by 2099-01-01" in page
    with schema_context(tenant.schema_name):
        order.refresh_from_db()
        assert order.promised_date == date(2099, 1, 1)
