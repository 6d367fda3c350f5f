from django.urls import reverse
from django_tenants.utils import schema_context

from apps.forecasting.models import ForecastRun
from apps.forecasting.tasks import forecast_nightly


def test_pages_render_before_and_after_a_run(sales_history, tenant, tenant_client, users):
    red = sales_history["variants"][0]
    tenant_client.force_login(users["viewer"])
    empty = tenant_client.get(reverse("forecasting:variant", args=[red.pk]))
    assert empty.status_code == 200 and "No forecast for MUG-RED yet" in empty.text
    with schema_context(tenant.schema_name):
        forecast_nightly()
    page = tenant_client.get(reverse("forecasting:overview"))
    assert page.status_code == 200
    assert "Nightly" in page.text and "Re-forecast now" not in page.text  # viewer
    assert "ABC / XYZ" in page.text and "How past forecasts did" in page.text
    assert "Revenue forecast" in page.text
    detail = tenant_client.get(reverse("forecasting:variant", args=[red.pk]))
    assert detail.status_code == 200
    assert "Reorder point" in detail.text and 'id="forecast-chart"' in detail.text
    assert "80% band" in detail.text


def test_viewer_cannot_start_a_run_but_a_manager_can(sales_history, tenant, tenant_client, users):
    tenant_client.force_login(users["viewer"])
    assert tenant_client.post(reverse("forecasting:reforecast")).status_code == 403
    tenant_client.force_login(users["manager"])
    response = tenant_client.post(reverse("forecasting:reforecast"))
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        assert ForecastRun.objects.filter(status=ForecastRun.Status.QUEUED).count() == 1


def test_overview_query_count_does_not_grow_with_runs(
    shop, tenant, tenant_client, users, django_assert_max_num_queries
):
    tenant_client.force_login(users["manager"])
    with schema_context(tenant.schema_name):
        ForecastRun.objects.create(status=ForecastRun.Status.DONE)
    with django_assert_max_num_queries(14) as one:  # 12 + the settings row + weekly accuracy
        tenant_client.get(reverse("forecasting:overview"))
    with schema_context(tenant.schema_name):
        for _ in range(30):
            ForecastRun.objects.create(status=ForecastRun.Status.DONE)
    with django_assert_max_num_queries(len(one.captured_queries)):
        tenant_client.get(reverse("forecasting:overview"))
