"""The owner's full data export: a background job writes a ZIP of every table as CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django_tenants.utils import schema_context

from apps.core.models import JobProgress
from apps.privacy.models import CompanyExport, PrivacyRequest
from apps.sales.models import Customer
from tests.conftest import TenantClient, make_user


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.PRIVACY_EXPORT_ROOT = str(tmp_path / "exports")


def _export(client, sync_jobs):
    with sync_jobs():
        response = client.post("/privacy/export/")
    assert response.status_code == 302
    export = CompanyExport.objects.get()
    return export


def test_owner_exports_every_table_as_csv_and_json(web, tenant, selling, sync_jobs):
    client = web.login_as("owner")
    with schema_context(tenant.schema_name):
        Customer.objects.create(name='Zed, "quoted"\nline', email="zed@x.test")
        export = _export(client, sync_jobs)
        assert export.state == CompanyExport.State.READY, export.error
        job = JobProgress.objects.get(pk=export.job_id)
        assert job.state == JobProgress.State.SUCCEEDED and job.percent == 100
        assert PrivacyRequest.objects.filter(kind=PrivacyRequest.Kind.COMPANY_EXPORT).exists()
        customers = Customer.objects.count()
    response = client.get(f"/privacy/export/{export.token}/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {"csv/sales_customer.csv", "json/sales_customer.json"} <= names
    assert {"csv/catalog_product.csv", "json/inventory_warehouse.json"} <= names
    assert export.tables == len(names) // 2
    rows = list(csv.DictReader(io.StringIO(archive.read("csv/sales_customer.csv").decode())))
    assert len(rows) == customers
    assert any(r["name"] == 'Zed, "quoted"\nline' for r in rows)
    as_json = json.loads(archive.read("json/sales_customer.json"))
    assert sorted(r["email"] for r in as_json) == sorted(r["email"] for r in rows)
    users = list(csv.DictReader(io.StringIO(archive.read("csv/accounts_user.csv").decode())))
    assert users and "password" not in users[0] and "email" in users[0]
    assert "csv/django_session.csv" not in names


def test_only_owners_download_and_only_their_companys_exports(
    web, tenant, other_tenant, selling, sync_jobs
):
    with schema_context(tenant.schema_name):
        export = _export(web.login_as("owner"), sync_jobs)
    url = f"/privacy/export/{export.token}/"
    assert web.login_as("manager").get(url).status_code == 403
    assert web.login_as("manager").post("/privacy/export/").status_code == 403
    beta = TenantClient(other_tenant)
    beta.force_login(make_user(other_tenant, "owner", email="boss@beta.test"))
    assert beta.get(url).status_code == 404


def test_privacy_page_shows_exports_and_requests_with_a_fixed_query_count(
    web, tenant, selling, django_assert_max_num_queries
):
    client = web.login_as("owner")
    owner = client.users["owner"]

    def fill(n):
        with schema_context(tenant.schema_name):
            for i in range(n):
                CompanyExport.objects.create(requested_by=owner)
                PrivacyRequest.objects.create(kind="customer_export", subject=f"Customer #{i}")

    fill(1)
    with django_assert_max_num_queries(20) as one:
        assert client.get("/privacy/").status_code == 200
    fill(20)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/privacy/")
    assert "Customer #19" in response.content.decode()


def test_privacy_page_empty_state(web):
    content = web.login_as("owner").get("/privacy/").content.decode()
    assert "No export has been made yet" in content and "No privacy requests yet" in content


def test_exports_older_than_thirty_days_are_purged_with_their_files(
    web, tenant, selling, sync_jobs
):
    from datetime import timedelta

    from django.utils import timezone

    from apps.privacy.company_export import company_exports_purge, export_path

    with schema_context(tenant.schema_name):
        export = _export(web.login_as("owner"), sync_jobs)
        path = export_path(export)
        assert path.is_file()
        assert company_exports_purge(now=timezone.now() + timedelta(days=29)) == 0
        assert company_exports_purge(now=timezone.now() + timedelta(days=31)) == 1
        assert not path.exists() and not CompanyExport.objects.exists()
