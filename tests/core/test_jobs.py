import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django_q.models import OrmQ
from django_tenants.utils import schema_context

from apps.accounts.models import Role, User
from apps.core.jobs import fan_out, job_enqueue
from apps.core.models import JobProgress
from apps.tenants.models import Tenant


def record_schema(marker: str, job_id=None) -> None:
    """A job used by these tests: leaves a user named after the schema it ran in."""
    from apps.core.jobs import job_progress_update

    job_progress_update(job_id, 50, "half way")
    User.objects.create_user(
        email=f"{marker}@{connection.schema_name}.job", password=None, role=Role.VIEWER
    )


def test_job_is_queued_only_when_the_transaction_commits(
    in_tenant, django_capture_on_commit_callbacks
):
    before = OrmQ.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job_enqueue("tests.core.test_jobs.record_schema", "queued")
        assert OrmQ.objects.count() == before  # nothing for the worker yet
    assert len(callbacks) == 1
    callbacks[0]()
    assert OrmQ.objects.count() == before + 1


def test_wrong_function_path_fails_at_enqueue_not_in_the_worker(in_tenant):
    with pytest.raises(AttributeError):
        job_enqueue("apps.core.jobs.no_such_function")


def test_job_runs_in_the_schema_it_was_queued_for(tenant, other_tenant, sync_jobs):
    with sync_jobs():
        with schema_context(tenant.schema_name):
            job = job_enqueue("tests.core.test_jobs.record_schema", "sync", progress=True)
    job.refresh_from_db()
    assert job.state == JobProgress.State.SUCCEEDED and job.schema_name == tenant.schema_name
    with schema_context(tenant.schema_name):
        assert User.objects.filter(email=f"sync@{tenant.schema_name}.job").exists()
    with schema_context(other_tenant.schema_name):
        assert not User.objects.filter(email__endswith=".job").exists()


def test_fan_out_queues_once_per_active_company(
    tenant, other_tenant, django_capture_on_commit_callbacks
):
    Tenant.objects.filter(pk=other_tenant.pk).update(status=Tenant.Status.SUSPENDED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count = fan_out("apps.tenants.tasks.tenant_stats_refresh")
    assert (
        count == 1 and len(callbacks) == 1
    )  # alpha only: beta suspended, template and public never


def test_job_status_is_only_visible_on_its_own_schema(tenant, other_tenant, users):
    from tests.conftest import TenantClient

    job = JobProgress.objects.create(
        schema_name=tenant.schema_name, label="Import", func_path="x.y"
    )
    mine, theirs = TenantClient(tenant), TenantClient(other_tenant)
    assert mine.get(f"/jobs/{job.pk}/").status_code == 200
    assert theirs.get(f"/jobs/{job.pk}/").status_code == 404


def test_a_real_worker_process_runs_a_job_inside_the_tenant_schema(
    django_db_setup, django_db_blocker
):
    """qcluster in its own process, ORM broker on the test database.

    The worker can only see committed rows, so this test commits for real (no
    test transaction) and removes what it made; it avoids transaction=True, whose
    flush would empty the public schema the other tests share.
    """
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        with schema_context(tenant.schema_name):
            job = job_enqueue("tests.core.test_jobs.record_schema", "worker", progress=True)
        env = {
            **os.environ,
            "STOCKROOM_DB_NAME": connection.settings_dict["NAME"],
            "Q_WORKERS": "1",
        }
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                job.refresh_from_db()
                if job.done:
                    break
                time.sleep(0.3)
        finally:
            worker.terminate()
            worker.wait(timeout=20)
        try:
            assert job.state == JobProgress.State.SUCCEEDED, job.error
            with schema_context(tenant.schema_name):
                assert User.objects.filter(email=f"worker@{tenant.schema_name}.job").exists()
        finally:
            with schema_context(tenant.schema_name):
                User.objects.filter(email__endswith=".job").delete()
            job.delete()
