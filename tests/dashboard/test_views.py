"""The dashboard page, widget partials and chart JSON over HTTP: roles, money, tenancy,
the date range."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.inventory.models import StockMove

from .conftest import D

Kind = StockMove.Kind
HX = {"HTTP_HX_REQUEST": "true"}


def test_anonymous_visitors_are_sent_to_sign_in(tenant_client, tenant):
    for url in ("/", "/dashboard/widgets/low_stock/", "/dashboard/widgets/stock_value/data.json"):
        response = tenant_client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_owner_sees_stock_value_with_chart_and_table(web, post):
    post(Kind.RECEIPT, [("bolt", "main", 10, 5), ("nut", "east", 100, 1)])
    client = web.login_as("owner")

    html = client.get("/dashboard/widgets/stock_value/", **HX).content.decode()
    assert "150.00" in html  # 50 + 100
    assert 'data-chart-src="/dashboard/widgets/stock_value/data.json?period=last_30"' in html
    assert "<table" in html and 'role="img"' in html  # the chart's figures, in words too

    chart = client.get("/dashboard/widgets/stock_value/data.json").json()
    assert chart["type"] == "bar"
    assert dict(zip(chart["labels"], chart["datasets"][0]["data"], strict=True)) == {
        "EAST": 100.0,
        "MAIN": 50.0,
    }


def test_clerk_gets_the_operational_dashboard_without_money(web, order, post):
    post(Kind.RECEIPT, [("bolt", "main", 10, 5)])
    order([("gear", 3)], expected=timezone.localdate())  # 60.00
    client = web.login_as("clerk")

    page = client.get("/").content.decode()
    assert "/dashboard/widgets/stock_value/" not in page
    assert "/dashboard/widgets/revenue/" not in page
    assert "/dashboard/widgets/receipts_expected/" in page
    assert "/dashboard/widgets/counts_open/" in page

    # Enforced on the server, not only hidden from the page.
    assert client.get("/dashboard/widgets/stock_value/", **HX).status_code == 404
    assert client.get("/dashboard/widgets/stock_value/data.json").status_code == 404
    assert client.get("/dashboard/widgets/revenue/", **HX).status_code == 404

    pos = client.get("/dashboard/widgets/open_purchase_orders/", **HX).content.decode()
    assert '<p class="display-6 mb-1">1</p>' in pos
    assert "60.00" not in pos and "worth" not in pos

    owner_pos = web.login_as("owner").get("/dashboard/widgets/open_purchase_orders/", **HX)
    assert "60.00" in owner_pos.content.decode()


def test_viewer_sees_figures_but_no_count_tasks(web):
    page = web.login_as("viewer").get("/").content.decode()
    assert "/dashboard/widgets/stock_value/" in page
    assert "/dashboard/widgets/counts_open/" not in page


def test_unknown_widget_and_chartless_widget_are_404(web):
    client = web.login_as("owner")
    assert client.get("/dashboard/widgets/nope/", **HX).status_code == 404
    assert client.get("/dashboard/widgets/low_stock/data.json").status_code == 404


def test_chart_json_is_scoped_to_the_company(web, post, other_tenant, other_tenant_client):
    from tests.conftest import make_user

    post(Kind.RECEIPT, [("bolt", "main", 10, 5)])
    assert web.login_as("owner").get("/dashboard/widgets/stock_value/data.json").json()["datasets"][
        0
    ]["data"] == [50.0]

    other_tenant_client.force_login(make_user(other_tenant, "owner", email="boss@beta.test"))
    chart = other_tenant_client.get("/dashboard/widgets/stock_value/data.json").json()
    assert chart["labels"] == [] and chart["datasets"][0]["data"] == []
    html = other_tenant_client.get("/dashboard/widgets/stock_value/", **HX).content.decode()
    assert "No stock on hand yet" in html


def test_date_range_from_the_url_reaches_every_widget(web, post):
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    post(Kind.RECEIPT, [("bolt", "main", 7, 5)], day=last_month_end)
    post(Kind.RECEIPT, [("nut", "main", 3, 1)], day=today)
    client = web.login_as("owner")

    page = client.get("/?period=last_month").content.decode()
    assert 'hx-get="/dashboard/widgets/top_moved/?period=last_month"' in page
    assert '<option value="last_month" selected>' in page

    last_month = client.get("/dashboard/widgets/top_moved/?period=last_month", **HX)
    assert "BOLT" in last_month.content.decode() and "NUT" not in last_month.content.decode()
    chart = client.get("/dashboard/widgets/stock_movements/data.json?period=last_month").json()
    assert chart["from"] == last_month_end.replace(day=1).isoformat()
    assert chart["to"] == last_month_end.isoformat()
    assert sum(chart["datasets"][0]["data"]) == 7.0

    custom = f"period=custom&date_from={today}&date_to={today}"
    page = client.get(f"/?{custom}").content.decode()
    assert f"/dashboard/widgets/top_moved/?period=custom&amp;date_from={today}" in page
    today_only = client.get(f"/dashboard/widgets/top_moved/?{custom}", **HX).content.decode()
    assert "NUT" in today_only and "BOLT" not in today_only


def test_a_bad_range_is_explained_and_the_default_is_shown(web):
    client = web.login_as("owner")
    response = client.get("/?period=custom&date_from=2026-03-10&date_to=2026-03-01")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The start date is after the end date." in html
    assert "Showing the last 30 days instead." in html
    assert 'hx-get="/dashboard/widgets/top_moved/?period=last_30"' in html

    for query in ("period=custom&date_from=rubbish", "period=%00", "date_to=2026-99-99"):
        assert client.get(f"/dashboard/widgets/top_moved/?{query}", **HX).status_code == 200
        assert client.get(f"/dashboard/widgets/top_moved/data.json?{query}").status_code == 200


def test_widgets_refresh_as_lazy_partials_and_charts_have_text_alternatives(web, post):
    post(Kind.RECEIPT, [("bolt", "main", 10, 5)], day=timezone.localdate())
    client = web.login_as("owner")
    page = client.get("/").content.decode()
    assert page.count('hx-trigger="load, every 60s"') >= 10
    assert "js/dashboard.js" in page and "chartjs" in page
    for key in ("stock_movements", "top_moved", "stock_value"):
        html = client.get(f"/dashboard/widgets/{key}/", **HX).content.decode()
        assert 'role="img"' in html and "as a table</summary>" in html, key


def test_a_failing_widget_says_so_in_words_and_the_rest_still_load(web, monkeypatch):
    from apps.dashboard.registry import widget_get

    def broken(self, ctx):
        raise RuntimeError("database went away")

    monkeypatch.setattr(type(widget_get("low_stock")), "data", broken)
    client = web.login_as("owner")
    failed = client.get("/dashboard/widgets/low_stock/", **HX)
    assert failed.status_code == 200
    assert "could not be loaded just now" in failed.content.decode()
    assert client.get("/dashboard/widgets/top_moved/", **HX).status_code == 200


def test_money_is_shown_in_the_company_currency(web, post, tenant):
    post(Kind.RECEIPT, [("gear", "main", 1, D("12.5"))])
    html = web.login_as("manager").get("/dashboard/widgets/stock_value/", **HX).content.decode()
    assert f'12.50 <span class="fs-6">{tenant.currency}</span>' in html


def test_stock_value_headline_uses_the_company_valuation_method(web, post, tenant):
    post(Kind.RECEIPT, [("bolt", "main", 10, 5)])
    post(Kind.RECEIPT, [("bolt", "east", 10, 8)])
    post(Kind.SHIPMENT, [("bolt", "main", -6, None)])
    client = web.login_as("owner")
    html = client.get("/dashboard/widgets/stock_value/", **HX).content.decode()
    assert '<p class="display-6 mb-0">91.00' in html and "at moving average cost" in html

    tenant.valuation_method = "fifo"
    tenant.save(update_fields=["valuation_method"])
    html = client.get("/dashboard/widgets/stock_value/", **HX).content.decode()
    assert '<p class="display-6 mb-0">100.00' in html and "at FIFO cost" in html


def test_widget_reads_run_without_postgres_jit(web, monkeypatch):
    """JIT compiling the widgets' big-estimate plans cost seconds (see apps/dashboard/db.py)."""
    from django.db import connection

    from apps.dashboard.registry import widget_get

    seen = []

    def spy(self, ctx):
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            seen.append(cursor.fetchone()[0])
        return {"count": 0, "lowest": []}

    monkeypatch.setattr(type(widget_get("low_stock")), "data", spy)
    web.login_as("owner").get("/dashboard/widgets/low_stock/", **HX)
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        after = cursor.fetchone()[0]
    assert seen == ["off"]
    assert after != "off" or after == seen[0]  # SET LOCAL: only for the widget's transaction


def test_a_failing_chart_answers_in_words_not_a_500(web, monkeypatch):
    from apps.dashboard.registry import widget_get

    def broken(self, ctx):
        raise RuntimeError("database went away")

    monkeypatch.setattr(type(widget_get("top_moved")), "data", broken)
    response = web.login_as("owner").get("/dashboard/widgets/top_moved/data.json")
    assert response.status_code == 503
    assert response.json()["error"] == "This chart could not be drawn."
