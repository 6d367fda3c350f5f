"""Users hide and reorder widgets; the arrangement is saved per user."""

from __future__ import annotations

import json
import re

from django_tenants.utils import schema_context

from apps.dashboard.models import DashboardLayout
from apps.dashboard.registry import widgets_for

HX = {"HTTP_HX_REQUEST": "true"}


def grid_order(html: str) -> list[str]:
    grid = html[html.index('id="dashboard-widgets"') :]
    return re.findall(r'id="widget-([a-z_]+)" hx-get', grid)


def default_keys(user) -> list[str]:
    return [w.key for w in widgets_for(user)]


def test_move_down_and_up_is_saved_and_keeps_keyboard_focus(web, tenant):
    client = web.login_as("manager")
    keys = default_keys(web.users["manager"])
    first, second = keys[0], keys[1]

    response = client.post(
        "/dashboard/layout/move/",
        {"widget": first, "direction": "down", "focus": f"move-down-{first}"},
        **HX,
    )
    assert response.status_code == 200
    assert grid_order(response.content.decode())[:2] == [second, first]
    assert json.loads(response["HX-Trigger-After-Settle"]) == {
        "dashboardFocus": f"move-down-{first}"
    }
    assert grid_order(client.get("/").content.decode())[:2] == [second, first]

    client.post("/dashboard/layout/move/", {"widget": first, "direction": "up"}, **HX)
    assert grid_order(client.get("/").content.decode())[:2] == [first, second]


def test_the_layout_belongs_to_one_user(web, tenant):
    keys = default_keys(web.users["owner"])
    web.login_as("owner").post(
        "/dashboard/layout/move/", {"widget": keys[0], "direction": "bottom"}, **HX
    )
    assert grid_order(web.get("/").content.decode())[-1] == keys[0]
    other = web.login_as("manager")
    assert grid_order(other.get("/").content.decode())[0] == keys[0]


def test_hide_and_show_a_widget(web, tenant):
    client = web.login_as("owner")
    response = client.post("/dashboard/layout/hide/", {"widget": "top_moved"}, **HX)
    html = response.content.decode()
    assert "top_moved" not in grid_order(html)
    assert 'aria-label="Show Top moved products"' in html
    assert "top_moved" not in grid_order(client.get("/").content.decode())
    with schema_context(tenant.schema_name):
        assert DashboardLayout.objects.get(user=web.users["owner"]).hidden == ["top_moved"]

    client.post("/dashboard/layout/show/", {"widget": "top_moved"}, **HX)
    assert "top_moved" in grid_order(client.get("/").content.decode())


def test_everything_hidden_says_how_to_get_widgets_back(web):
    client = web.login_as("viewer")
    for key in default_keys(web.users["viewer"]):
        client.post("/dashboard/layout/hide/", {"widget": key}, **HX)
    html = client.get("/").content.decode()
    assert grid_order(html) == []
    assert "Every widget is hidden" in html


def test_reset_restores_the_usual_layout(web, tenant):
    client = web.login_as("owner")
    keys = default_keys(web.users["owner"])
    client.post("/dashboard/layout/hide/", {"widget": keys[1]}, **HX)
    client.post("/dashboard/layout/move/", {"widget": keys[0], "direction": "bottom"}, **HX)
    page = client.get("/").content.decode()
    assert 'hx-confirm="Put every widget back' in page  # asks first
    client.post("/dashboard/layout/reset/", {}, **HX)
    assert grid_order(client.get("/").content.decode()) == keys


def test_reorder_buttons_are_labelled_and_disabled_at_the_ends(web):
    client = web.login_as("owner")
    keys = default_keys(web.users["owner"])
    html = client.get("/").content.decode()
    assert re.search(rf'id="move-up-{keys[0]}" disabled aria-label="Move [^"]+ up"', html)
    assert re.search(rf'id="move-down-{keys[-1]}" disabled aria-label="Move [^"]+ down"', html)
    assert f'id="move-down-{keys[0]}" aria-label' in html


def test_a_clerk_cannot_put_a_money_widget_on_their_dashboard(web, tenant):
    client = web.login_as("clerk")
    response = client.post("/dashboard/layout/show/", {"widget": "stock_value"}, **HX)
    assert response.status_code == 422
    assert "There is no such widget on your dashboard." in response.content.decode()
    with schema_context(tenant.schema_name):
        assert not DashboardLayout.objects.filter(user=web.users["clerk"]).exists()


def test_bad_requests_change_nothing_and_are_explained(web, tenant):
    client = web.login_as("owner")
    bad_direction = client.post(
        "/dashboard/layout/move/", {"widget": "low_stock", "direction": "sideways"}, **HX
    )
    assert bad_direction.status_code == 422
    assert "A widget moves up, down" in bad_direction.content.decode()
    assert client.post("/dashboard/layout/explode/", {"widget": "low_stock"}).status_code == 404
    assert client.get("/dashboard/layout/hide/").status_code == 405
    with schema_context(tenant.schema_name):
        assert not DashboardLayout.objects.exists()


def test_without_javascript_the_forms_post_and_come_back_to_the_same_range(web):
    client = web.login_as("owner")
    response = client.post(
        "/dashboard/layout/hide/", {"widget": "low_stock", "query": "period=last_month"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/?period=last_month"
    assert "low_stock" not in grid_order(client.get("/").content.decode())


def test_a_widget_added_later_joins_the_end_of_a_saved_layout(web, tenant):
    from apps.dashboard.layout import layout_for

    user = web.users["owner"]
    keys = default_keys(user)
    with schema_context(tenant.schema_name):
        DashboardLayout.objects.create(user=user, order=[keys[2], keys[0], "retired_widget"])
        assert [a.widget.key for a in layout_for(user)] == [keys[2], keys[0], keys[1], *keys[3:]]


def test_a_layout_change_keeps_the_page_date_range(web):
    client = web.login_as("owner")
    response = client.post(
        "/dashboard/layout/hide/", {"widget": "low_stock", "query": "period=last_month"}, **HX
    )
    html = response.content.decode()
    assert 'hx-get="/dashboard/widgets/top_moved/?period=last_month"' in html
    assert 'name="query" value="period=last_month"' in html
