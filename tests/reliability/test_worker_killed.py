"""A worker killed in the middle of a job: the job runs again and its effect happens once.

The ORM broker locks a dequeued task for ``Q_CLUSTER["retry"]`` seconds and only deletes it
when the result is saved. A worker killed with SIGKILL saves nothing, so once the lock
expires the next worker takes the task again. Our job writes in one transaction, which
PostgreSQL rolls back when the killed worker's connection drops: the retry starts clean.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.db import connection
from django_q.models import Task
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.core.jobs import job_enqueue
from apps.core.models import JobProgress
from apps.tenants.models import Tenant


def _worker(retry: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "STOCKROOM_DB_NAME": connection.settings_dict["NAME"],
        "Q_WORKERS": "1",
        "Q_TIMEOUT": str(retry - 1),
        "Q_RETRY": str(retry),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: SIGKILL reaches the pool too
    )


def _stop(*workers: subprocess.Popen | None) -> None:
    """Stop the test's workers that are still running (politely, then the whole group)."""
    for proc in workers:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _wait_for(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_job_killed_mid_write_is_retried_and_applied_once(
    django_db_setup, django_db_blocker, tmp_path
):
    attempts = tmp_path / "attempts.log"
    attempts.touch()
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        schema = tenant.schema_name
        with schema_context(schema):
            # A run that was interrupted before its clean-up left these behind (committed).
            User.objects.filter(email__startswith="killed-").delete()
            job = job_enqueue(
                "tests.reliability.jobs.staged_write",
                "killed",
                str(attempts),
                progress=True,
            )

        def users():
            with schema_context(schema):
                return set(
                    User.objects.filter(email__startswith="killed-").values_list("email", flat=True)
                )

        first = _worker(retry=5)
        second = None
        try:
            assert _wait_for(lambda: "stage 0 written" in attempts.read_text(), 30), (
                "the first worker never started the job"
            )
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            # The killed attempt's first stage was never committed.
            assert users() == set()
            job.refresh_from_db()
            assert job.state == JobProgress.State.RUNNING

            second = _worker(retry=5)

            def finished():
                job.refresh_from_db()
                return job.done

            assert _wait_for(finished, 40), "the job was not retried after the kill"
        finally:
            _stop(first, second)
        try:
            assert job.state == JobProgress.State.SUCCEEDED, job.error
            assert attempts.read_text().count("start") == 2  # killed once, retried once
            assert users() == {f"killed-{stage}@{schema}.job" for stage in range(3)}
        finally:
            with schema_context(schema):
                User.objects.filter(email__startswith="killed-").delete()
            job.delete()
            Task.objects.filter(name="tests.reliability.jobs.staged_write").delete()


def test_report_job_killed_after_its_first_write_is_built_once(
    django_db_setup, django_db_blocker, tmp_path
):
    """A real job kind: the background report. The worker is killed right after the job's
    first write (status "running", committed on its own); the retry builds one file and rings
    the bell once."""
    import datetime as dt

    from django.utils import timezone

    from apps.notifications.models import Notification
    from apps.reports.models import ReportFile
    from apps.reports.storage import report_storage

    attempts = tmp_path / "attempts.log"
    attempts.touch()
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        schema = tenant.schema_name
        with schema_context(schema):
            owner = User.objects.get(email="founder@alpha.test")
            record = ReportFile.objects.create(
                report_slug="stock-levels",
                title="Killed worker report",
                params={},
                fmt="csv",
                created_by=owner,
                expires_at=timezone.now() + dt.timedelta(days=7),
            )
            job = job_enqueue(
                "tests.reliability.jobs.stalled_once",
                "apps.reports.jobs.report_file_build",
                str(attempts),
                str(record.pk),
                progress=True,
            )
            ReportFile.objects.filter(pk=record.pk).update(job_id=job.pk)

        def bells():
            with schema_context(schema):
                return Notification.objects.filter(
                    recipient=owner, title__contains="Killed worker report"
                ).count()

        def files():
            with schema_context(schema):
                storage = report_storage()
                if not storage.exists(""):
                    return []
                return [f for f in storage.listdir("")[1] if f.startswith(str(record.pk))]

        first = _worker(retry=5)
        second = None
        try:
            assert _wait_for(lambda: "first write" in attempts.read_text(), 60), (
                "the first worker never started the job"
            )
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            with schema_context(schema):
                record.refresh_from_db()
            assert record.status == ReportFile.Status.RUNNING  # killed mid-job
            assert files() == [] and bells() == 0

            second = _worker(retry=5)

            def finished():
                job.refresh_from_db()
                return job.done

            assert _wait_for(finished, 60), "the job was not retried after the kill"
        finally:
            _stop(first, second)
        try:
            assert job.state == JobProgress.State.SUCCEEDED, job.error
            assert attempts.read_text().count("start") == 2  # killed once, retried once
            with schema_context(schema):
                record.refresh_from_db()
            assert record.status == ReportFile.Status.READY
            assert files() == [record.path]  # one file, the one the record points at
            assert bells() == 1
        finally:
            with schema_context(schema):
                for name in files():
                    report_storage().delete(name)
                Notification.objects.filter(title__contains="Killed worker report").delete()
                ReportFile.objects.filter(pk=record.pk).delete()
            job.delete()
            Task.objects.filter(name="tests.reliability.jobs.stalled_once").delete()


def test_sync_job_killed_between_records_resumes_without_duplicates(
    django_db_setup, django_db_blocker, tmp_path
):
    """A real job kind: a WooCommerce product import against the fake store, committing record
    by record. Killed while writing the second product (the first one committed, the second
    half-written); the retry imports the rest and nothing twice."""
    from apps.catalog.models import Product, Variant
    from apps.integrations.models import ExternalId, SyncRun
    from apps.integrations.services import connection_create
    from tests.fakes.woocommerce import FakeWooCommerce

    attempts = tmp_path / "attempts.log"
    attempts.touch()
    skus = [f"KILLED-SYNC-{i}" for i in range(3)]
    fake = FakeWooCommerce().start()
    for i, sku in enumerate(skus):
        fake.add_simple(f"Killed sync item {i}", sku, "5.00")
    with django_db_blocker.unblock():
        schema = Tenant.objects.get(slug="alpha").schema_name
        with schema_context(schema):
            _forget_sync_leftovers(skus)
            shop = connection_create(
                provider="woocommerce",
                name="Killed worker shop",
                base_url=fake.url,
                credentials={
                    "consumer_key": fake.consumer_key,
                    "consumer_secret": fake.consumer_secret,
                },
            )
            run = SyncRun.objects.create(connection=shop, entity="products", trigger="manual")
            job = job_enqueue(
                "tests.reliability.jobs.stalled_once",
                "apps.integrations.sync.sync_execute",
                str(attempts),
                run.pk,
                stall_on='INTO "catalog_product" ',
                stall_count=2,
                progress=True,
            )

        def imported():
            with schema_context(schema):
                return sorted(Variant.objects.filter(sku__in=skus).values_list("sku", flat=True))

        first = _worker(retry=5)
        second = None
        try:
            assert _wait_for(lambda: "first write" in attempts.read_text(), 60), (
                "the first worker never reached the second product"
            )
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            assert imported() == skus[:1]  # one committed, the second rolled back with the kill

            second = _worker(retry=5)

            def finished():
                job.refresh_from_db()
                return job.done

            assert _wait_for(finished, 60), "the job was not retried after the kill"
        finally:
            fake.stop()
            _stop(first, second)
        try:
            assert job.state == JobProgress.State.SUCCEEDED, job.error
            assert attempts.read_text().count("start") == 2  # killed once, retried once
            assert imported() == skus  # each product once
            with schema_context(schema):
                run.refresh_from_db()
                assert run.state == SyncRun.State.SUCCEEDED, run.message
                assert Product.objects.filter(name__startswith="Killed sync item").count() == 3
                mapped = ExternalId.objects.filter(connection=shop, entity="variant")
                assert mapped.count() == 3
        finally:
            with schema_context(schema):
                _forget_sync_leftovers(skus)
            job.delete()
            Task.objects.filter(name="tests.reliability.jobs.stalled_once").delete()


def _forget_sync_leftovers(skus: list[str]) -> None:
    from apps.catalog.models import Product, Variant
    from apps.integrations.models import Connection

    Connection.objects.filter(name="Killed worker shop").delete()
    products = list(Product.objects.filter(variants__sku__in=skus).values_list("pk", flat=True))
    Variant.objects.filter(product__in=products).delete()
    Product.objects.filter(pk__in=products).delete()


# The forecast itself takes seconds (statsmodels, xgboost) and the worker's timeout must be
# shorter than the broker's lock (Q_RETRY), so this test waits longer for the retry.
FORECAST_RETRY = 45


def test_forecast_job_killed_after_its_first_write_runs_once(
    django_db_setup, django_db_blocker, tmp_path
):
    """A real job kind: the forecast run, in a company of its own (the ledger is append-only,
    so its committed demand history goes with the schema afterwards). Killed after it marked the
    run *running*; the retry stores one forecast per variant and day, and one policy each."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from apps.catalog.models import Product, Variant
    from apps.forecasting.models import Forecast, ForecastRun, PolicyResult
    from apps.inventory.models import Location, StockMove
    from apps.inventory.services import MoveLine, stock_moves_post
    from apps.inventory.warehousing import warehouse_create
    from apps.tenants.services.provisioning import tenant_provision

    attempts = tmp_path / "attempts.log"
    attempts.touch()
    slug = "killedforecast"
    with django_db_blocker.unblock():
        _drop_company(slug)  # left by an interrupted run
        tenant = tenant_provision(
            name="Killed Forecast", subdomain=slug, owner_email=f"owner@{slug}.test",
            owner_password=None,
        )  # fmt: skip
        schema = tenant.schema_name
        try:
            with schema_context(schema):
                shelf = Location.objects.create(
                    warehouse=warehouse_create(code="MAIN", name="Main"), code="A-01"
                )
                product = Product.objects.create(name="Mug")
                variants = [
                    Variant.objects.create(product=product, sku=f"MUG-{c}") for c in ("R", "B")
                ]
                now = timezone.now()
                for variant in variants:
                    stock_moves_post(
                        lines=[MoveLine(variant.pk, shelf.pk, Decimal(1000), Decimal(4))],
                        kind=StockMove.Kind.RECEIPT,
                        occurred_at=now - dt.timedelta(days=121),
                    )
                    for day in range(120, 0, -1):
                        stock_moves_post(
                            lines=[
                                MoveLine(variant.pk, shelf.pk, Decimal(-(day % 3 + 1)), Decimal(4))
                            ],
                            kind=StockMove.Kind.SHIPMENT,
                            occurred_at=now - dt.timedelta(days=day),
                        )
                run = ForecastRun.objects.create(horizon=14)
                job = job_enqueue(
                    "tests.reliability.jobs.stalled_once",
                    "apps.forecasting.tasks.forecast_run_job",
                    str(attempts),
                    run.pk,
                    progress=True,
                )

            first = _worker(retry=FORECAST_RETRY)
            second = None
            try:
                assert _wait_for(lambda: "first write" in attempts.read_text(), 60), (
                    "the first worker never started the job"
                )
                os.killpg(first.pid, signal.SIGKILL)
                first.wait(timeout=10)
                with schema_context(schema):
                    run.refresh_from_db()
                    assert run.status == ForecastRun.Status.RUNNING  # killed mid-job
                    assert not Forecast.objects.exists()

                second = _worker(retry=FORECAST_RETRY)

                def finished():
                    job.refresh_from_db()
                    return job.done

                assert _wait_for(finished, FORECAST_RETRY + 120), (
                    "the job was not retried after the kill"
                )
            finally:
                _stop(first, second)
            assert job.state == JobProgress.State.SUCCEEDED, job.error
            assert attempts.read_text().count("start") == 2  # killed once, retried once
            with schema_context(schema):
                run.refresh_from_db()
                assert run.status == ForecastRun.Status.DONE and run.series == 2, run.error
                assert ForecastRun.objects.count() == 1
                assert Forecast.objects.filter(run=run).count() == 2 * run.horizon
                assert PolicyResult.objects.filter(run=run).count() == 2
        finally:
            JobProgress.objects.filter(schema_name=schema).delete()
            Task.objects.filter(name="tests.reliability.jobs.stalled_once").delete()
            _drop_company(slug)


def _drop_company(slug: str) -> None:
    from apps.tenants.models import Domain

    tenant = Tenant.objects.filter(slug=slug).first()
    schema = tenant.schema_name if tenant else slug
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    if tenant:
        Domain.objects.filter(tenant=tenant).delete()
        Tenant.objects.filter(pk=tenant.pk).delete()
    connection.set_schema_to_public()
