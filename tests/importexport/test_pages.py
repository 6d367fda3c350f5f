import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.models import Variant
from apps.core.models import JobProgress
from apps.importexport.models import ImportBatch
from apps.importexport.services import ASYNC_ROWS
from tests.importexport.conftest import upload


@pytest.mark.parametrize(
    ("role", "kind", "status"),
    [
        (Role.CLERK, "products", 403),  # catalog imports need catalog.edit
        (Role.CLERK, "suppliers", 403),
        (Role.CLERK, "adjustments", 200),  # stock imports need inventory.adjust
        (Role.VIEWER, "opening_stock", 403),
        (Role.MANAGER, "products", 200),
        (Role.MANAGER, "nonsense", 404),
    ],
)
def test_import_pages_need_the_capability_of_what_is_imported(
    tenant_client, users, role, kind, status
):
    tenant_client.force_login(users[role])
    assert tenant_client.get(f"/data/import/{kind}/").status_code == status


def test_clerk_cannot_post_a_catalog_import_and_nothing_is_kept(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.CLERK])
    response = upload(tenant_client, "products", b"product,sku\nLamp,LAMP-1\n")
    assert response.status_code == 403
    assert "permission" in response.content.decode()
    with schema_context(tenant.schema_name):
        assert not ImportBatch.objects.exists()


def test_viewer_exports_but_sees_no_imports(tenant_client, users):
    tenant_client.force_login(users[Role.VIEWER])
    page = tenant_client.get("/data/").content.decode()
    assert "Your role cannot import" in page and "/data/export/products.csv" in page
    assert tenant_client.get("/data/export/stock-levels.xlsx").status_code == 200


def test_anonymous_is_sent_to_sign_in(tenant_client):
    assert tenant_client.get("/data/").status_code == 302


def test_a_batch_of_another_kind_is_hidden_from_roles_without_it(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.MANAGER])
    response = upload(tenant_client, "suppliers", b"name\nGlobex\n")
    batch_url = response["Location"]
    tenant_client.force_login(users[Role.CLERK])
    assert tenant_client.get(batch_url).status_code == 403
    assert tenant_client.post(batch_url + "confirm/").status_code == 403
    assert "Globex" not in tenant_client.get("/data/imports/").content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "The submitted file is empty."),
        ("blank.csv", b"\n\n  \n", "The file is empty."),
        ("binary.csv", bytes(range(256)) * 50, "does not look like a CSV"),
        ("fake.xlsx", b"PK\x03\x04garbage" * 10, "could not be read as an Excel workbook"),
        ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(300), "could not be read as an Excel"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(300), "does not look like a CSV"),
        ("wrong.csv", b"colour,size\nred,M\n", "Missing column: sku"),
        ("header-only.csv", b"sku,product\n", "header but no rows"),
    ],
)
def test_garbage_files_get_a_message_never_a_500(
    tenant_client, tenant, users, name, content, message
):
    tenant_client.force_login(users[Role.MANAGER])
    response = upload(tenant_client, "products", content, name)
    assert response.status_code == 422
    assert message in response.content.decode()
    with schema_context(tenant.schema_name):
        assert not ImportBatch.objects.exists()


def _make_batches(tenant, user, count: int) -> None:
    with schema_context(tenant.schema_name):
        ImportBatch.objects.bulk_create(
            [
                ImportBatch(
                    kind="suppliers",
                    filename=f"f{i}.csv",
                    file_format="csv",
                    content=b"",
                    created_by=user,
                    status="done",
                )
                for i in range(count)
            ]
        )


@pytest.mark.parametrize("count", [1, 60])
def test_batches_list_is_a_fixed_number_of_queries(
    tenant_client, tenant, users, count, django_assert_max_num_queries
):
    _make_batches(tenant, users[Role.OWNER], count)
    tenant_client.force_login(users[Role.OWNER])
    with django_assert_max_num_queries(12):
        response = tenant_client.get(
            "/data/imports/", {"sort": "file", "status": "done", "q": "csv"}
        )
    assert response.status_code == 200
    assert "f0.csv" in response.content.decode()


def test_batches_list_filters_sorts_and_swaps_only_the_table(tenant_client, tenant, users):
    _make_batches(tenant, users[Role.OWNER], 30)
    tenant_client.force_login(users[Role.OWNER])
    response = tenant_client.get(
        "/data/imports/",
        {"sort": "-file", "kind": "suppliers", "page": 2},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="batch-table",
    )
    html = response.content.decode()
    assert "<html" not in html and "<table" in html
    # The partial brings its own container, swapped with outerHTML: exactly one, never nested.
    assert html.count('id="batch-table"') == 1
    assert "26–30 of 30" in html or "f0.csv" in html
    empty = tenant_client.get("/data/imports/", {"status": "failed"}).content.decode()
    assert "No import matches" in empty


@pytest.mark.parametrize("rows", [1, 120])
def test_preview_rows_are_a_fixed_number_of_queries(
    tenant_client, tenant, users, rows, django_assert_max_num_queries
):
    tenant_client.force_login(users[Role.MANAGER])
    content = "name\n" + "".join(f"Supplier {i}\n" for i in range(rows))
    url = upload(tenant_client, "suppliers", content.encode())["Location"]
    with django_assert_max_num_queries(10):
        response = tenant_client.get(url, {"action": "create", "sort": "-key"})
    last_by_name = max(f"Supplier {i}" for i in range(rows))
    assert last_by_name in response.content.decode()  # sorted by key, descending
    partial = tenant_client.get(
        url, {"page": 2}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="row-table"
    )
    assert "<html" not in partial.content.decode()


def test_discard_asks_first_then_drops_the_upload(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.MANAGER])
    url = upload(tenant_client, "suppliers", b"name\nGlobex\n")["Location"]
    dialog = tenant_client.get(url + "discard/").content.decode()
    assert "Discard" in dialog and "Nothing in your catalog or stock changes" in dialog
    tenant_client.post(url + "discard/")
    with schema_context(tenant.schema_name):
        batch = ImportBatch.objects.get()
        assert (batch.status, bytes(batch.content), batch.rows.count()) == ("discarded", b"", 0)
    assert tenant_client.post(url + "confirm/", follow=True).status_code == 200
    with schema_context(tenant.schema_name):
        assert ImportBatch.objects.get().status == "discarded"


def test_large_files_are_checked_and_imported_by_a_job(tenant_client, tenant, users, sync_jobs):
    tenant_client.force_login(users[Role.MANAGER])
    count = ASYNC_ROWS + 20
    content = "product,sku,sale_price\n" + "".join(
        f"Bulk item,BULK-{i:04d},{i % 50}.50\n" for i in range(count)
    )
    with sync_jobs():
        response = upload(tenant_client, "products", content.encode())
    url = response["Location"]
    with schema_context(tenant.schema_name):
        batch = ImportBatch.objects.get()
        assert batch.status == "ready" and batch.create_count == count
        assert not Variant.objects.filter(sku__startswith="BULK").exists()
    job = JobProgress.objects.get(pk=batch.job_id)
    assert (job.state, job.percent, job.result_url) == ("succeeded", 100, url)
    with sync_jobs():
        page = tenant_client.post(url + "confirm/", follow=True)
    assert page.status_code == 200
    with schema_context(tenant.schema_name):
        batch.refresh_from_db()
        assert batch.status == "done", batch.message
        assert Variant.objects.filter(sku__startswith="BULK").count() == count
    job = JobProgress.objects.get(pk=batch.job_id)
    assert job.state == "succeeded" and job.label.startswith("Importing")


def test_a_job_in_progress_shows_a_progress_bar(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.MANAGER])
    content = "name\n" + "".join(f"Supplier {i}\n" for i in range(ASYNC_ROWS + 1))
    url = upload(tenant_client, "suppliers", content.encode())["Location"]  # no worker: it waits
    page = tenant_client.get(url).content.decode()
    assert 'role="progressbar"' in page and "waiting for a worker" in page
    with schema_context(tenant.schema_name):
        assert ImportBatch.objects.get().status == "validating"


def test_a_company_never_sees_another_companys_imports(
    tenant_client, other_tenant_client, other_tenant, users
):
    tenant_client.force_login(users[Role.MANAGER])
    url = upload(tenant_client, "suppliers", b"name\nGlobex\n")["Location"]
    from tests.conftest import make_user

    other_tenant_client.force_login(make_user(other_tenant, Role.OWNER))
    assert other_tenant_client.get(url).status_code == 404
    assert other_tenant_client.post(url + "confirm/").status_code == 404
    assert "Globex" not in other_tenant_client.get("/data/imports/").content.decode()
