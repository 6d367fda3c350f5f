def test_dashboard_lays_out_one_lazy_partial_per_widget(web):
    response = web.login_as("owner").get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-get="/dashboard/widgets/low_stock/?period=last_30"' in html
    assert 'hx-trigger="load, every 60s"' in html
    assert "Good to see you" in html


def test_each_widget_partial_renders_for_an_owner(web, tenant):
    from apps.dashboard.registry import WIDGETS

    client = web.login_as("owner")
    for key in WIDGETS:
        response = client.get(f"/dashboard/widgets/{key}/", HTTP_HX_REQUEST="true")
        assert response.status_code == 200, key
        assert "could not be loaded" not in response.content.decode(), key
