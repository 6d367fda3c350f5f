import re

from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.catalog.models import Variant
from apps.tenants.models import Tenant
from apps.tenants.services.lifecycle import tenant_delete_now
from apps.tenants.services.provisioning import tenant_provision


def test_large_product_file_is_previewed_and_imported_by_the_worker(
    live_stack, page, committed, tmp_path
):
    """Upload → progress bar (a real qcluster checks it) → preview → confirm → imported."""
    for stale in Tenant.objects.filter(slug="importflow"):
        tenant_delete_now(tenant=stale)
    tenant = tenant_provision(
        name="Import Flow",
        subdomain="importflow",
        owner_email="own@import.test",
        owner_password="a-long-passphrase-9",
    )
    site = live_stack["company"]("importflow")
    rows = 520  # over the 500-row threshold: checked and imported in the background
    csv_file = tmp_path / "products.csv"
    csv_file.write_text(
        "Product,SKU,Sale price\n"
        + "".join(f"Widget {i // 4},WID-{i:04d},{i % 40}.25\n" for i in range(rows - 1))
        + "Widget X,WID-BAD,twelve\n"
    )
    try:
        page.goto(site + "/accounts/login/")
        page.get_by_label("Email").fill("own@import.test")
        page.get_by_label("Password").fill("a-long-passphrase-9")
        page.get_by_role("button", name="Sign in").click()
        page.goto(site + "/data/")
        page.get_by_role("link", name="Products and variants", exact=True).click()
        page.locator("#id_file").set_input_files(str(csv_file))
        page.get_by_role("button", name="Upload and preview").click()
        # The progress page follows the job and lands on the preview.
        expect(page.get_by_text("1 row has errors")).to_be_visible(timeout=60_000)
        expect(page.get_by_role("button", name=re.compile("Confirm import"))).to_have_count(0)
        page.get_by_label("Show rows").select_option("error")
        expect(page.locator("#row-table tbody tr")).to_have_count(1)
        expect(page.locator("#row-table")).to_contain_text("“twelve” is not a number")

        # Fixed file: confirm, and the worker imports every row.
        csv_file.write_text(csv_file.read_text().replace("WID-BAD,twelve", "WID-OK,12"))
        page.goto(site + "/data/import/products/")
        page.locator("#id_file").set_input_files(str(csv_file))
        page.get_by_role("button", name="Upload and preview").click()
        confirm = page.get_by_role("button", name=re.compile(rf"Confirm import \({rows} new"))
        expect(confirm).to_be_visible(timeout=60_000)
        confirm.click()
        expect(page.get_by_text(f"Imported: {rows} new")).to_be_visible(timeout=90_000)
        with schema_context(tenant.schema_name):
            assert Variant.objects.filter(sku__startswith="WID-").count() == rows
    finally:
        for t in Tenant.objects.filter(slug="importflow"):
            tenant_delete_now(tenant=t)
