"""Every widget answers in a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.services import product_create
from apps.dashboard.context import WidgetContext
from apps.dashboard.registry import WIDGETS
from apps.inventory.counts import stock_count_create
from apps.inventory.models import StockMove
from apps.inventory.services import MoveLine, stock_moves_post
from apps.sales.models import Customer
from apps.sales.services import LineInput as SaleLine
from apps.sales.services import sales_order_confirm, sales_order_create
from tests.conftest import make_user

from .conftest import D

HX = {"HTTP_HX_REQUEST": "true"}


def fill(shop, order, n: int, first: int = 0) -> None:
    """``n`` variants, each received and shipped over several days, each on its own
    purchase order due today and its own confirmed (partly backordered) sales order, each
    low on stock; one open count per warehouse."""
    today = timezone.localdate()
    customer, _ = Customer.objects.get_or_create(name="Budget Buyer", email="buyer@budget.test")
    for i in range(first, first + n):
        variant = product_create(name=f"Part {i}", sku=f"PART-{i}").variants.get()
        variant.reorder_point = D(100)
        variant.save(update_fields=["reorder_point"])
        for days_ago, qty in ((3, 10), (2, -2), (1, 5)):
            stock_moves_post(
                kind=StockMove.Kind.RECEIPT if qty > 0 else StockMove.Kind.SHIPMENT,
                lines=[MoveLine(variant.pk, shop["bins"]["main"].pk, D(qty), D(2))],
                occurred_at=timezone.now() - dt.timedelta(days=days_ago),
            )
        po = order([("bolt", 1)], expected=today - dt.timedelta(days=i % 2))
        po.lines.update(variant=variant)
        sale = sales_order_create(
            customer=customer, lines=[SaleLine(variant.pk, D(20), tax_rate=D(0))]
        )
        sales_order_confirm(order=sale)  # 13 on hand: a backorder of 7 each
    if n > 1:
        stock_count_create(warehouse=shop["warehouses"]["east"])
    stock_count_create(warehouse=shop["warehouses"]["main"])


@pytest.fixture
def ctx(tenant):
    today = timezone.localdate()
    user = make_user(tenant, Role.OWNER, email="budget@alpha.test")
    return WidgetContext(
        user=user, date_from=today - dt.timedelta(days=29), date_to=today, today=today
    )


@pytest.mark.parametrize("rows", [1, 12])
@pytest.mark.parametrize("key", sorted(WIDGETS))
def test_widget_stays_within_its_query_budget(key, rows, shop, order, ctx):
    fill(shop, order, rows)
    widget = WIDGETS[key]
    with CaptureQueriesContext(connection) as queries:
        data = widget.data(ctx)
        if widget.has_chart:
            widget.chart(ctx, data)
    assert len(queries) <= widget.query_budget, [q["sql"] for q in queries]


def _partial_queries(client, key) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/dashboard/widgets/{key}/", **HX)
    assert response.status_code == 200
    assert "could not be loaded" not in response.content.decode()
    return len(queries)


def test_partials_and_page_cost_the_same_queries_for_few_and_many_rows(web, shop, order, tenant):
    fill(shop, order, 1)
    client = web.login_as("owner")
    client.get("/")  # warm up: the first request of a session loads more than the rest
    few = {key: _partial_queries(client, key) for key in WIDGETS}
    with CaptureQueriesContext(connection) as page_few:
        client.get("/")
    with schema_context(tenant.schema_name):
        fill(shop, order, 15, first=1)
    many = {key: _partial_queries(client, key) for key in WIDGETS}
    with CaptureQueriesContext(connection) as page_many:
        client.get("/")
    assert many == few
    assert len(page_many) == len(page_few)
