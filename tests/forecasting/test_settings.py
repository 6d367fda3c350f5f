from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.api.models import WebhookDelivery
from apps.api.webhooks.services import webhook_endpoint_create
from apps.forecasting.config import forecast_settings, forecast_settings_update
from apps.forecasting.errors import ForecastingError
from apps.forecasting.models import ForecastRun, ForecastSettings, PolicyResult
from apps.forecasting.reorder_values import reorder_values_apply
from apps.forecasting.services import forecast_run_request

from .factories import stored_run


def test_defaults_and_percentages(in_tenant):
    s = forecast_settings()
    assert s.service_levels == {"A": 0.98, "B": 0.95, "C": 0.90}
    assert (s.reorder_mode, s.review_period_days, s.horizon_days) == ("manual", 7, 28)
    s = forecast_settings_update(service_level_a="99", service_level_b=0.96, horizon_days=42)
    assert (s.service_level_a, s.service_level_b, s.horizon_days) == (
        Decimal("0.99"),
        Decimal("0.96"),
        42,
    )


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"service_level_a": "100"}, "service_level_a", "infinite stock"),
        ({"service_level_c": "0.3"}, "service_level_c", "between 50%"),
        ({"service_level_b": "abc"}, "service_level_b", "number such as"),
        ({"service_level_c": "0.97"}, "service_level_a", "go down from A to C"),
        ({"horizon_days": 200}, "horizon_days", "between 7 and 91"),
        ({"review_period_days": "x", "horizon_days": 35}, "review_period_days", "whole number"),
        ({"reorder_mode": "auto"}, "reorder_mode", "manual or forecast-driven"),
    ],
)
def test_bad_settings_say_why_and_save_nothing(in_tenant, changes, field, words):
    with pytest.raises(ForecastingError, match=words) as err:
        forecast_settings_update(**{"review_period_days": 30, **changes})
    assert err.value.field == field
    assert ForecastSettings.objects.get().review_period_days == 7


def _variant(sku="BOLT"):
    from apps.catalog.models import Product, Variant

    return Variant.objects.create(product=Product.objects.create(name=sku), sku=sku)


def test_forecast_driven_values_are_written_to_variants_only_when_chosen(in_tenant):
    from datetime import date

    bolt = _variant()
    bolt.reorder_point = Decimal("3")
    bolt.save()
    run = stored_run(
        [bolt],
        daily=2,
        start=date(2026, 6, 1),
        reorder_point=Decimal("21.5"),
        safety_stock=Decimal("7.25"),
        order_quantity=Decimal("60"),
    )
    assert reorder_values_apply(run=run, settings=forecast_settings()) == 0
    bolt.refresh_from_db()
    assert bolt.reorder_point == 3  # manual: left alone
    settings = forecast_settings_update(reorder_mode="forecast")
    assert reorder_values_apply(run=run, settings=settings) == 1
    bolt.refresh_from_db()
    assert (bolt.reorder_point, bolt.safety_stock, bolt.reorder_quantity) == (
        Decimal("21.5"),
        Decimal("7.25"),
        Decimal("60"),
    )
    assert reorder_values_apply(run=run, settings=settings) == 0  # unchanged: no writes


def test_nightly_forecast_driven_run_uses_settings_updates_variants_and_emits_webhook(
    sales_history, sync_jobs
):
    forecast_settings_update(
        reorder_mode="forecast", service_level_a="0.99", service_level_b="0.99",
        service_level_c="0.99", horizon_days=21,
    )  # fmt: skip
    webhook_endpoint_create(url="https://hooks.example.com/f", events=["forecast.completed"])
    with sync_jobs():
        run, _job = forecast_run_request()
    run.refresh_from_db()
    assert run.status == ForecastRun.Status.DONE and run.horizon == 21
    red = sales_history["variants"][0]
    policy = PolicyResult.objects.get(run=run, variant=red)
    assert policy.service_level == Decimal("0.99")
    red.refresh_from_db()
    assert red.reorder_point == policy.reorder_point > 0
    assert red.safety_stock == policy.safety_stock
    assert red.reorder_quantity == policy.order_quantity
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "forecast.completed"
    assert delivery.payload["data"]["run"] == run.pk
    assert delivery.payload["data"]["series"] == 2


def test_settings_page_saves_and_explains_errors(tenant, tenant_client, users):
    tenant_client.force_login(users[Role.MANAGER])
    page = tenant_client.get("/forecasting/settings/")
    assert page.status_code == 200 and "Service level, class A items" in page.text
    form = {
        "reorder_mode": "forecast",
        "service_level_a": "97",
        "service_level_b": "95",
        "service_level_c": "90",
        "review_period_days": "14",
        "horizon_days": "28",
    }
    assert tenant_client.post("/forecasting/settings/", form).status_code == 302
    with schema_context(tenant.schema_name):
        s = forecast_settings()
        assert (s.reorder_mode, s.service_level_a, s.review_period_days) == (
            "forecast",
            Decimal("0.97"),
            14,
        )
    bad = tenant_client.post("/forecasting/settings/", {**form, "service_level_c": "98"})
    assert bad.status_code == 422 and "go down from A to C" in bad.text
    tenant_client.force_login(users[Role.CLERK])
    assert tenant_client.get("/forecasting/settings/").status_code == 403


def test_variant_form_says_where_reorder_values_come_from(tenant, tenant_client, users):
    with schema_context(tenant.schema_name):
        bolt = _variant()
    tenant_client.force_login(users[Role.OWNER])
    url = f"/products/{bolt.product_id}/variants/{bolt.pk}/edit/"
    assert "Entered by hand" in tenant_client.get(url).text
    with schema_context(tenant.schema_name):
        forecast_settings_update(reorder_mode="forecast")
    page = tenant_client.get(url).text
    assert "Forecast-driven" in page and f"/forecasting/variants/{bolt.pk}/" in page
