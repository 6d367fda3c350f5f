"""Sales widgets against hand-built orders (and the forecast card's empty state)."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.accounts.models import Role
from apps.catalog.services import category_create
from apps.dashboard.context import WidgetContext
from apps.dashboard.registry import WIDGETS, widget_get
from apps.dashboard.sales_source import forecast_run_model
from apps.dashboard.widgets._sales import SalesWidget
from apps.dashboard.widgets.revenue import same_days_last_month
from apps.inventory.models import StockMove
from apps.sales.currency import exchange_rate_set
from apps.sales.models import Customer
from apps.sales.services import (
    LineInput,
    sales_order_cancel,
    sales_order_confirm,
    sales_order_create,
)
from tests.conftest import make_user

from .conftest import TODAY, D

HX = {"HTTP_HX_REQUEST": "true"}
SALES = sorted(k for k, w in WIDGETS.items() if isinstance(w, SalesWidget))
MARCH = (dt.date(2026, 3, 1), TODAY)
FEB_TO_MARCH = (dt.date(2026, 2, 1), TODAY)


@pytest.fixture
def sales(shop, post, tenant):
    """Orders in USD (the company's currency) on known days, one in EUR, a draft, a
    cancelled one and a backorder. Net revenue (before tax, after discount):

    A today      bolt 3 × 10, 10 % off   27   confirmed
    B yesterday  nut 10 × 2              20   confirmed
    C 10 Feb     gear 2 × 50            100   confirmed, 1 gear backordered
    G 25 Feb     bolt 2 × 10             20   confirmed
    D 5 Mar      bolt 1 × 10             10   draft: not a sale
    E 10 Mar     nut 5 × 2               10   cancelled
    F today      bolt 1 × 20 EUR (a manager's price) at 1.25 USD per EUR: 25 USD, confirmed
    """
    v = shop["variants"]
    hardware, machinery = category_create(name="Hardware"), category_create(name="Machinery")
    for key, price, category in (
        ("bolt", 10, hardware),
        ("nut", 2, hardware),
        ("gear", 50, machinery),
    ):
        v[key].sale_price = D(price)
        v[key].save(update_fields=["sale_price"])
        v[key].product.category = category
        v[key].product.save(update_fields=["category"])
    post(
        StockMove.Kind.RECEIPT,
        [("bolt", "main", 100, 5), ("nut", "main", 100, 1), ("gear", "main", 1, 20)],
    )
    usd = Customer.objects.create(name="Ada Shop", email="ada@shop.test", currency=tenant.currency)
    eur = Customer.objects.create(name="Euro GmbH", email="eu@gmbh.test", currency="EUR")
    exchange_rate_set(currency="EUR", rate="1.25")

    def order(customer, day, variant, qty, discount=0, then=sales_order_confirm, price=None):
        o = sales_order_create(
            customer=customer,
            order_date=day,
            lines=[
                LineInput(
                    v[variant].pk,
                    D(qty),
                    unit_price=price,
                    discount_percent=D(discount),
                    tax_rate=D(20),
                )
            ],
        )
        return then(order=o) if then else o

    return {
        "A": order(usd, TODAY, "bolt", 3, discount=10),
        "B": order(usd, TODAY - dt.timedelta(days=1), "nut", 10),
        "C": order(usd, dt.date(2026, 2, 10), "gear", 2),
        "G": order(usd, dt.date(2026, 2, 25), "bolt", 2),
        "D": order(usd, dt.date(2026, 3, 5), "bolt", 1, then=None),
        "E": order(usd, dt.date(2026, 3, 10), "nut", 5, then=sales_order_cancel),
        "F": order(eur, TODAY, "bolt", 1, price=D(20)),
    }


def ctx_for(tenant, role, period, email=None):
    user = make_user(tenant, role, email=email or f"{role}-sales@alpha.test")
    start, end = period
    return WidgetContext(
        user=user,
        date_from=start,
        date_to=end,
        period="custom",
        today=TODAY,
        currency=tenant.currency,
    )


def data(key, ctx):
    return widget_get(key).data(ctx)


def test_the_sales_widgets_the_issue_asks_for_are_registered():
    assert SALES == [
        "backorders",
        "orders_by_status",
        "orders_to_ship",
        "revenue",
        "revenue_by_month",
        "sales_by_category",
        "top_products",
    ]
    assert "forecast_accuracy" in WIDGETS


def test_revenue_today_and_this_month_against_the_same_days_of_last_month(sales, tenant):
    result = data("revenue", ctx_for(tenant, Role.OWNER, MARCH))
    # A + F (20 EUR × 1.25 = 25 USD, not 20 added as if it were dollars).
    assert (result["today"], result["yesterday"]) == (D(52), D(20))
    assert result["month"] == D(72)  # A + B + F; not the draft or the cancelled order
    assert result["last_month"] == D(100)  # C on 10 Feb; G on the 25th is after the 18th


def test_revenue_by_month_covers_the_twelve_months_ending_with_the_range(sales, tenant):
    widget = widget_get("revenue_by_month")
    ctx = ctx_for(tenant, Role.OWNER, MARCH)
    result = widget.data(ctx)
    assert [(r["month"], r["revenue"], r["orders"]) for r in result["months"]] == [
        (dt.date(2026, 2, 1), D(120), 2),
        (dt.date(2026, 3, 1), D(72), 3),
    ]
    chart = widget.chart(ctx, result)
    assert chart["type"] == "line" and chart["labels"] == ["2026-02", "2026-03"]
    assert chart["datasets"][0]["data"] == [120.0, 72.0]


def test_orders_to_ship_counts_what_waits_to_be_picked(sales, tenant):
    result = data("orders_to_ship", ctx_for(tenant, Role.CLERK, MARCH))
    assert (result["count"], result["to_pick"], result["older"]) == (5, 5, 3)
    assert [o["number"] for o in result["oldest"]] == [
        sales[k].number for k in ("C", "G", "B", "A", "F")
    ]
    assert result["oldest"][0]["status_label"] == "Confirmed"


def test_backorders_count_what_waits_for_stock(sales, tenant):
    result = data("backorders", ctx_for(tenant, Role.CLERK, MARCH))
    assert (result["orders"], result["lines"], result["quantity"]) == (1, 1, D(1))


def test_top_products_by_quantity_with_revenue_only_for_money_roles(sales, tenant):
    owner = data("top_products", ctx_for(tenant, Role.OWNER, MARCH))
    assert [(r["variant__sku"], r["quantity"], r["revenue"]) for r in owner["rows"]] == [
        ("NUT", D(10), D(20)),
        ("BOLT", D(4), D(52)),  # 27 USD + 25 USD (20 EUR)
    ]
    clerk = data("top_products", ctx_for(tenant, Role.CLERK, MARCH))
    assert [(r["variant__sku"], r["quantity"]) for r in clerk["rows"]] == [
        ("NUT", D(10)),
        ("BOLT", D(4)),
    ]
    assert all("revenue" not in r for r in clerk["rows"])


def test_sales_by_category_shares_revenue(sales, tenant):
    widget = widget_get("sales_by_category")
    ctx = ctx_for(tenant, Role.MANAGER, FEB_TO_MARCH)
    result = widget.data(ctx)
    assert [(r["category"], r["revenue"]) for r in result["rows"]] == [
        ("Machinery", D(100)),
        ("Hardware", D(92)),  # 27 + 20 + 20 + 25 (F's 20 EUR)
    ]
    chart = widget.chart(ctx, result)
    assert chart["type"] == "doughnut" and chart["datasets"][0]["data"] == [100.0, 92.0]


def test_orders_by_status_in_the_lifecycle_order(sales, tenant):
    widget = widget_get("orders_by_status")
    ctx = ctx_for(tenant, Role.VIEWER, FEB_TO_MARCH)
    rows = widget.data(ctx)["rows"]
    assert [(r["label"], r["count"]) for r in rows] == [
        ("Draft", 1),
        ("Confirmed", 5),
        ("Cancelled", 1),
    ]
    assert widget.chart(ctx, {"empty": False, "rows": rows})["datasets"][0]["data"] == [1, 5, 1]


def test_sales_pages_show_the_figures_and_a_period_without_sales_says_so(web, sales):
    client = web.login_as("owner")
    html = client.get(
        "/dashboard/widgets/top_products/?period=custom&date_from=2026-03-01&date_to=2026-03-18",
        **HX,
    ).content.decode()
    assert "NUT" in html and "52.00" in html and 'role="img"' in html  # bolts: 27 + 25 USD
    quiet = client.get(
        "/dashboard/widgets/top_products/?period=custom&date_from=2025-01-01&date_to=2025-01-31",
        **HX,
    )
    assert "No sales in this period" in quiet.content.decode()
    clerk = web.login_as("clerk").get(
        "/dashboard/widgets/top_products/?period=custom&date_from=2026-03-01&date_to=2026-03-18",
        **HX,
    )
    assert "NUT" in clerk.content.decode() and "52.00" not in clerk.content.decode()


def test_forecast_accuracy_of_the_latest_finished_run(web, tenant):
    from django.utils import timezone
    from django_tenants.utils import schema_context

    client = web.login_as("manager")
    html = client.get("/dashboard/widgets/forecast_accuracy/", **HX).content.decode()
    assert "No forecasts yet" in html

    run = forecast_run_model()
    now = timezone.now()
    with schema_context(tenant.schema_name):
        for status, wape, hours_ago in (
            ("done", 0.4, 48),
            ("done", 0.225, 24),
            ("failed", None, 1),
        ):
            run.objects.create(
                status=status,
                series=12,
                accuracy={} if wape is None else {"wape": wape, "mean_mase": 0.9},
                finished_at=now - dt.timedelta(hours=hours_ago),
            )
    html = client.get("/dashboard/widgets/forecast_accuracy/", **HX).content.decode()
    assert "77.5 %" in html and "WAPE (22.5 %)" in html and "12 items" in html


def test_money_sales_widgets_are_not_for_clerks(web):
    client = web.login_as("clerk")
    page = client.get("/").content.decode()
    for key in ("revenue", "revenue_by_month", "sales_by_category", "forecast_accuracy"):
        assert f"/dashboard/widgets/{key}/" not in page, key
        assert client.get(f"/dashboard/widgets/{key}/", **HX).status_code == 404, key
    for key in ("orders_to_ship", "backorders", "orders_by_status", "top_products"):
        assert f"/dashboard/widgets/{key}/" in page, key


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-03-18", ("2026-02-01", "2026-02-18")),
        ("2026-03-31", ("2026-02-01", "2026-02-28")),  # February has no 31st
        ("2026-01-05", ("2025-12-01", "2025-12-05")),
    ],
)
def test_this_month_is_compared_with_the_same_days_of_last_month(today, expected):
    start, end = same_days_last_month(dt.date.fromisoformat(today))
    assert (start.isoformat(), end.isoformat()) == expected


def test_revenue_card_says_the_change_in_words(web, sales):
    from apps.dashboard.widgets.revenue import change

    assert change(D(27), D(20)) == D("35.0")
    assert change(D(47), D(100)) == D("-53.0")
    assert change(D(5), D(0)) is None
    html = web.login_as("owner").get("/dashboard/widgets/revenue/", **HX).content.decode()
    assert "Net of discounts, before tax." in html


def test_revenue_changes_are_written_out_not_only_coloured(sales, tenant):
    from django.template.loader import render_to_string

    widget = widget_get("revenue")
    ctx = ctx_for(tenant, Role.OWNER, MARCH)
    html = render_to_string(
        widget.template, {"widget": widget, "ctx": ctx, "data": widget.data(ctx)}
    )
    assert "up 160 %</span> on yesterday’s 20.00" in html  # 52 (A + F's 25) against 20
    assert "down 28 %</span> on the same days of last month: 100.00" in html


def test_revenue_by_month_adds_the_forecast_and_its_band_for_the_months_ahead(sales, tenant):
    from apps.forecasting.models import Forecast, ForecastRun

    bolt, nut = (
        Forecast._meta.get_field("variant").related_model.objects.get(sku=s)
        for s in ("BOLT", "NUT")
    )
    old = ForecastRun.objects.create(status="done", series=2, finished_at=timezone_now(-48))
    run = ForecastRun.objects.create(status="done", series=2, finished_at=timezone_now(-1))
    one_product = ForecastRun.objects.create(
        status="done", series=1, variant=bolt, finished_at=timezone_now(0)
    )
    rows = [
        # (run, variant, day, quantity, low, high); bolt lists at 10, nut at 2
        (run, bolt, TODAY, 100, 0, 200),  # today: already in the actual figures
        (run, bolt, dt.date(2026, 3, 20), 2, 1, 3),  # 20 (10–30) for the rest of March
        (run, nut, dt.date(2026, 4, 2), 10, 5, 20),  # 20 (10–40) in April
        (run, bolt, dt.date(2026, 4, 3), 1, 1, 1),  # +10 in April
        (old, bolt, dt.date(2026, 4, 3), 99, 99, 99),  # an older run: ignored
        (one_product, bolt, dt.date(2026, 4, 3), 99, 99, 99),  # one product only: ignored
    ]
    Forecast.objects.bulk_create(
        Forecast(
            run=r,
            variant=var,
            date=day,
            quantity=D(q),
            lower_80=D(lo),
            upper_80=D(hi),
            lower_95=D(lo),
            upper_95=D(hi),
        )
        for r, var, day, q, lo, hi in rows
    )
    widget = widget_get("revenue_by_month")
    ctx = ctx_for(tenant, Role.OWNER, MARCH)
    months = widget.data(ctx)["months"]

    assert [
        (m["month"], m["revenue"], m.get("forecast"), m.get("low"), m.get("high")) for m in months
    ] == [
        (dt.date(2026, 2, 1), D(120), None, None, None),
        (dt.date(2026, 3, 1), D(72), D(92), D(82), D(102)),  # 72 sold + 20 (10–30) to come
        (dt.date(2026, 4, 1), None, D(30), D(20), D(50)),
    ]
    chart = widget.chart(ctx, widget.data(ctx))
    assert [d["label"] for d in chart["datasets"]][1:] == [
        "Forecast",
        "Forecast, 80 % range (low)",
        "Forecast, 80 % range (high)",
    ]
    assert chart["datasets"][0]["data"] == [120.0, 72.0, None]
    assert chart["datasets"][3]["data"] == [None, 102.0, 50.0]

    # A range that ends in the past has no forecast.
    past = ctx_for(
        tenant, Role.OWNER, (dt.date(2026, 2, 1), dt.date(2026, 2, 28)), email="p@a.test"
    )
    assert all("forecast" not in m for m in widget.data(past)["months"])


def timezone_now(hours: int):
    from django.utils import timezone

    return timezone.now() + dt.timedelta(hours=hours)


def test_nothing_a_clerk_can_load_carries_money(web, sales, order, tenant):
    from apps.dashboard.registry import widgets_for

    order([("gear", 3)], expected=TODAY)  # a purchase order worth 60.00
    client = web.login_as("clerk")
    keys = [w.key for w in widgets_for(web.users["clerk"])]
    assert "orders_to_ship" in keys and "receipts_expected" in keys
    query = "period=custom&date_from=2026-02-01&date_to=2026-03-18"
    for key in keys:
        html = client.get(f"/dashboard/widgets/{key}/?{query}", **HX).content.decode()
        assert tenant.currency not in html and "Revenue" not in html, key
        if WIDGETS[key].has_chart:
            chart = client.get(f"/dashboard/widgets/{key}/data.json?{query}").json()
            assert chart["money"] is False, key
            assert tenant.currency not in str(chart), key
    owner = web.login_as("owner")
    assert (
        tenant.currency
        in owner.get("/dashboard/widgets/open_purchase_orders/", **HX).content.decode()
    )
