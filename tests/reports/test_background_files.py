"""Large reports run as a job: progress page, download link, 7 days, tenant-scoped."""

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.models import Product, Variant
from apps.core.models import JobProgress
from apps.inventory.models import Location, Warehouse
from apps.inventory.services import MoveLine, stock_moves_post
from apps.reports.jobs import report_files_purge
from apps.reports.models import ReportFile
from apps.reports.storage import report_storage
from tests.conftest import make_user

from .conftest import get


@pytest.fixture
def stock(tenant, settings, tmp_path):
    settings.REPORT_FILES_ROOT = str(tmp_path)
    settings.REPORTS_BACKGROUND_ROWS = 3  # anything above three rows runs as a job
    with schema_context(tenant.schema_name):
        bin_ = Location.objects.create(
            warehouse=Warehouse.objects.create(code="MAIN", name="Main"), code="A-01"
        )
        product = Product.objects.create(name="Thing")
        stock_moves_post(
            lines=[
                MoveLine(
                    Variant.objects.create(product=product, sku=f"T-{i}").pk,
                    bin_.pk,
                    D(i + 1),
                    D(2),
                )
                for i in range(5)
            ],  # fmt: skip
            kind="receipt",
        )
    return tmp_path


def test_a_large_export_runs_as_a_job_with_a_download_link(
    tenant, tenant_client, other_tenant, other_tenant_client, users, stock, sync_jobs
):
    tenant_client.force_login(users[Role.CLERK])
    with sync_jobs():
        response = get(tenant_client, "stock-levels", format="csv")
    assert response.status_code == 302
    file_url = response["Location"]
    with schema_context(tenant.schema_name):
        record = ReportFile.objects.get()
    assert file_url == f"/reports/files/{record.pk}/"
    assert record.status == ReportFile.Status.READY and record.estimated_rows == 5
    assert record.path.startswith(str(record.pk)) and (stock / tenant.schema_name).is_dir()
    assert JobProgress.objects.get(pk=record.job_id).state == JobProgress.State.SUCCEEDED
    with schema_context(tenant.schema_name):
        from apps.notifications.models import Notification

        bell = Notification.objects.get(kind="job_finished")
    assert bell.recipient == users[Role.CLERK] and bell.url == file_url
    page = tenant_client.get(file_url).content.decode()
    assert "ready" in page and f"/reports/files/{record.pk}/download/" in page
    download = tenant_client.get(f"{file_url}download/")
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 7 and rows[-1][0] == "Total" and rows[-1][-1] == "30.00"  # 15 × 2.00

    # Viewers cannot export; another company's user gets a 404 even with the URL.
    tenant_client.force_login(users[Role.VIEWER])
    assert tenant_client.get(f"{file_url}download/").status_code == 403
    other_tenant_client.force_login(make_user(other_tenant, Role.OWNER))
    assert other_tenant_client.get(f"{file_url}download/").status_code == 404
    assert other_tenant_client.get(file_url).status_code == 404


def test_small_exports_download_at_once(tenant_client, users, stock, settings):
    settings.REPORTS_BACKGROUND_ROWS = 100
    tenant_client.force_login(users[Role.MANAGER])
    response = get(tenant_client, "stock-levels", format="csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_files_expire_after_seven_days_and_are_purged(tenant, tenant_client, users, stock,
                                                      sync_jobs):  # fmt: skip
    tenant_client.force_login(users[Role.MANAGER])
    with sync_jobs():
        get(tenant_client, "stock-levels", format="xlsx")
    with schema_context(tenant.schema_name):
        record = ReportFile.objects.get()
        assert record.expires_at - record.created_at >= dt.timedelta(days=7) - dt.timedelta(
            seconds=5
        )
        assert report_storage().exists(record.path)
        assert report_files_purge() == 0
        ReportFile.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert tenant_client.get(f"/reports/files/{record.pk}/download/").status_code == 404
    with schema_context(tenant.schema_name):
        assert report_files_purge() == 1
        assert not ReportFile.objects.exists() and not report_storage().exists(record.path)


def test_bad_choices_never_start_a_job(tenant, tenant_client, users, stock, sync_jobs):
    tenant_client.force_login(users[Role.MANAGER])
    with sync_jobs():
        response = get(tenant_client, "stock-levels", format="pdf", warehouse="999999")
    assert response.status_code == 400
    with schema_context(tenant.schema_name):
        assert not ReportFile.objects.exists()


def test_a_background_pdf_carries_the_company_name(tenant, tenant_client, users, stock,
                                                   sync_jobs):  # fmt: skip
    from pypdf import PdfReader

    tenant_client.force_login(users[Role.MANAGER])
    with sync_jobs():
        file_url = get(tenant_client, "stock-levels", format="pdf")["Location"]
    download = tenant_client.get(f"{file_url}download/")
    text = PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages[0].extract_text()
    assert "Alpha Supplies" in text and "30.00" in text and "Page 1 of 1" in text


def test_the_page_shows_at_most_the_threshold_without_totals(tenant_client, users, stock):
    tenant_client.force_login(users[Role.MANAGER])
    page = get(tenant_client, "stock-levels", sort="sku").content.decode()
    assert "About 5 rows: the page shows the first 3, without totals." in page
    assert "T-2" in page and "T-3" not in page and "<tfoot>" not in page
