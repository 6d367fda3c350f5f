"""A large report download in a browser: the real worker builds the file behind a progress
bar, the page then offers the download, and the spreadsheet's totals match the page's."""

import io
import os
import shutil
from decimal import Decimal
from pathlib import Path

from django_tenants.utils import schema_context
from openpyxl import load_workbook
from playwright.sync_api import expect

from apps.tenants.models import Tenant
from apps.tenants.services.lifecycle import tenant_delete_now
from apps.tenants.services.provisioning import tenant_provision

# The server processes start once per session with this environment: over 50 rows, a report
# download runs as a job. No other browser test downloads a report that large.
os.environ.setdefault("REPORTS_BACKGROUND_ROWS", "50")
PASSWORD = "a-long-passphrase-9"
ROWS = 60


def _setup(tenant):
    from apps.catalog.models import Product, Variant
    from apps.inventory.services import MoveLine, stock_moves_post
    from apps.inventory.warehousing import location_create, warehouse_create

    with schema_context(tenant.schema_name):
        shelf = location_create(warehouse=warehouse_create(code="MAIN", name="Main"), code="A-01")
        product = Product.objects.create(name="Bulk item")
        variants = Variant.objects.bulk_create(
            [Variant(product=product, sku=f"BULK-{i:03d}") for i in range(ROWS)]
        )
        stock_moves_post(
            lines=[MoveLine(v.pk, shelf.pk, Decimal(2), Decimal("1.50")) for v in variants],
            kind="receipt",
        )


def test_large_report_is_built_by_the_worker_and_downloaded(live_stack, page, committed):
    for stale in Tenant.objects.filter(slug="reportflow"):
        tenant_delete_now(tenant=stale)
    tenant = tenant_provision(
        name="Report Flow",
        subdomain="reportflow",
        owner_email="own@report.test",
        owner_password=PASSWORD,
    )
    site = live_stack["company"]("reportflow")
    try:
        _setup(tenant)
        page.goto(site + "/accounts/login/")
        page.get_by_label("Email").fill("own@report.test")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(site + "/reports/stock-levels/")
        # Over the threshold the page shows the first rows only, and says so.
        expect(page.get_by_role("status").filter(has_text="About 60 rows")).to_contain_text(
            "the page shows the first 50, without totals"
        )
        page.get_by_role("link", name="Excel").click()
        # The progress bar follows the job; when it is done the page offers the file.
        download_link = page.get_by_role("link", name="Download XLSX")
        expect(download_link).to_be_visible(timeout=60_000)
        with page.expect_download() as info:
            download_link.click()
        assert info.value.suggested_filename.endswith(".xlsx")
        sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) == ROWS + 2 and rows[-1][0] == "Total"
        assert rows[-1][-1] == 180.0 and rows[-1][4] == 120.0
    finally:
        from apps.reports.storage import files_root

        for t in Tenant.objects.filter(slug="reportflow"):
            shutil.rmtree(files_root() / t.schema_name, ignore_errors=True)
            tenant_delete_now(tenant=t)
