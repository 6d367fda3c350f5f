from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.models import Product, Variant
from apps.forecasting.models import ForecastRun
from tests.api.conftest import Api, key_for
from tests.conftest import make_user

from .factories import stored_run


@pytest.fixture(autouse=True)
def _fresh_throttles():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_as(tenant, tenant_client, users):
    def make(role=Role.OWNER, scopes=("forecasting:write",)):
        raw = key_for(tenant, users[role], list(scopes))
        return Api(tenant_client, HTTP_AUTHORIZATION=f"Api-Key {raw}")

    return make


@pytest.fixture
def mugs(tenant):
    with schema_context(tenant.schema_name):
        product = Product.objects.create(name="Mug")
        red, blue = (
            Variant.objects.create(product=product, sku=sku, cost_price=Decimal("4"))
            for sku in ("MUG-RED", "MUG-BLUE")
        )
    return red, blue


@pytest.fixture
def fresh(tenant, mugs):
    with schema_context(tenant.schema_name):
        return stored_run(list(mugs), daily=[3, 1], start=timezone.localdate())


def test_fresh_forecasts_are_returned(api_as, mugs, fresh):
    red, blue = mugs
    r = api_as(Role.VIEWER, ["forecasting:read"]).post(
        "/api/ml/forecast", {"variants": [blue.pk, red.pk]}
    )
    assert r.status_code == 200, r.json_body
    body = r.json_body
    assert body["status"] == "fresh"
    assert [f["sku"] for f in body["forecasts"]] == ["MUG-BLUE", "MUG-RED"]
    first = body["forecasts"][1]
    assert first["run"] == fresh.pk and len(first["days"]) == 28
    assert first["days"][0]["forecast"] == "3.000"
    assert first["days"][0]["upper_95"] == "4.200"
    assert first["policy"]["reorder_point"] == "40.000"


def test_stale_forecast_queues_a_run_and_returns_its_job(api_as, tenant, mugs, sync_jobs):
    red, _ = mugs
    with schema_context(tenant.schema_name):
        stored_run(
            [red],
            daily=3,
            start=timezone.localdate(),
            finished_at=timezone.now() - timedelta(days=5),
        )
    r = api_as(Role.MANAGER).post("/api/ml/forecast", {"variants": [red.pk]})
    assert r.status_code == 202, r.json_body
    assert r.json_body["status"] == "queued"
    job = api_as(Role.MANAGER, ["forecasting:read"]).get(f"/api/jobs/{r.json_body['job']}/")
    assert job.status_code == 200 and job.json_body["label"] == "Forecast run"
    with schema_context(tenant.schema_name):
        run = ForecastRun.objects.get(pk=r.json_body["run"])
        assert run.status == ForecastRun.Status.QUEUED and run.variant_id == red.pk
    # a second request while that run waits: 409 in the common error shape
    again = api_as(Role.MANAGER).post("/api/ml/forecast", {"variants": [red.pk]})
    assert again.status_code == 409
    assert "already queued" in again.json_body["error"]["message"]


def test_a_viewer_or_a_read_key_cannot_start_a_run(api_as, mugs):
    r = api_as(Role.VIEWER, ["forecasting:write"]).post(
        "/api/ml/forecast", {"variants": [mugs[0].pk]}
    )
    assert r.status_code == 403 and "forecasting.run" in r.json_body["error"]["message"]
    r = api_as(Role.OWNER, ["forecasting:read"]).post(
        "/api/ml/forecast", {"variants": [mugs[0].pk]}
    )
    assert r.status_code == 403 and "forecasting:write" in r.json_body["error"]["message"]


def test_scopes_and_validation(api_as, mugs, fresh):
    assert (
        api_as(Role.OWNER, ["inventory:write"])
        .post("/api/ml/forecast", {"variants": [mugs[0].pk]})
        .status_code
        == 403
    )
    read_only = api_as(Role.OWNER, ["forecasting:read"])
    assert read_only.post("/api/ml/train").status_code == 403  # train needs write
    for body in ({"variants": []}, {"variants": [10**20]}, {"variants": "7"}, {}):
        bad = read_only.post("/api/ml/forecast", body)
        assert bad.status_code == 400 and "variants" in bad.json_body["error"]["fields"], body
    bad = read_only.post(
        "/api/ml/optimize", {"variants": [mugs[0].pk], "service_levels": {"D": 0.9}}
    )
    assert bad.status_code == 400 and "Unknown class D" in bad.json_body["error"]["message"]


def test_another_companys_variants_are_404(other_tenant, other_tenant_client, mugs, fresh):
    boss = make_user(other_tenant, Role.OWNER, email="boss@beta.test")
    other = Api(
        other_tenant_client,
        HTTP_AUTHORIZATION=f"Api-Key {key_for(other_tenant, boss, ['forecasting:write'])}",
    )
    for path in ("/api/ml/forecast", "/api/ml/optimize"):
        r = other.post(path, {"variants": [mugs[0].pk]})
        assert r.status_code == 404, (path, r.json_body)
        assert r.json_body["error"]["code"] == "not_found"


def test_optimize_reproduces_the_stored_policy_and_answers_what_ifs(api_as, tenant, mugs):
    red, _ = mugs
    with schema_context(tenant.schema_name):
        stored_run([red], daily=3, start=timezone.localdate())
    api = api_as(Role.VIEWER, ["forecasting:read"])
    r = api.post("/api/ml/optimize", {"variants": [red.pk]})
    assert r.status_code == 200, r.json_body
    (base,) = r.json_body
    # 3 a day for 7 days; σ per day from the 95% band (±1.2) = 2.4 / 3.92 = 0.6123;
    # safety = z(0.98) 2.0537 × √7 × 0.6123 = 3.327; EOQ with the purchasing defaults (order 25, holding 20%) = √(2·1095·25 / (4·0.2)) = 261.6
    assert Decimal(base["lead_time_demand"]) == 21
    assert Decimal(base["safety_stock"]) == pytest.approx(Decimal("3.327"), abs=Decimal("0.01"))
    assert Decimal(base["reorder_point"]) == pytest.approx(Decimal("24.327"), abs=Decimal("0.01"))
    assert Decimal(base["eoq"]) == pytest.approx(Decimal("261.61"), abs=Decimal("0.05"))
    assert base["order_quantity"] == "262.000"
    (what_if,) = api.post(
        "/api/ml/optimize",
        {"variants": [red.pk], "service_levels": {"A": 0.999}, "ordering_cost": "100",
         "lead_time_days": 14},
    ).json_body  # fmt: skip
    assert what_if["service_level"] == 0.999 and what_if["lead_time_days"] == 14
    assert Decimal(what_if["lead_time_demand"]) == 42
    assert Decimal(what_if["safety_stock"]) > Decimal(base["safety_stock"]) * 2
    assert Decimal(what_if["eoq"]) == pytest.approx(Decimal(base["eoq"]) * 2, rel=Decimal("0.001"))


def test_optimize_without_a_forecast_says_what_to_do(api_as, mugs):
    r = api_as(Role.VIEWER, ["forecasting:read"]).post(
        "/api/ml/optimize", {"variants": [mugs[1].pk]}
    )
    assert r.status_code == 400
    assert "POST /api/ml/forecast" in r.json_body["error"]["message"]


def test_train_starts_a_whole_catalogue_run(api_as, tenant, mugs):
    r = api_as(Role.MANAGER).post("/api/ml/train")
    assert r.status_code == 202 and r.json_body["job_url"].endswith(f"/jobs/{r.json_body['job']}/")
    with schema_context(tenant.schema_name):
        run = ForecastRun.objects.get(pk=r.json_body["run"])
        assert run.variant_id is None and run.status == ForecastRun.Status.QUEUED
    assert api_as(Role.CLERK).post("/api/ml/train").status_code == 403


def test_schema_documents_the_ml_endpoints(api_as):
    r = api_as(Role.OWNER, ["forecasting:read"]).client.get("/api/schema/?format=json")
    paths = r.json()["paths"]
    assert {"/api/ml/forecast", "/api/ml/optimize", "/api/ml/train"} <= set(paths)
