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
            for proc in (first, second):
                if proc is not None and proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        os.killpg(proc.pid, signal.SIGKILL)
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
            for proc in (first, second):
                if proc is not None and proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        os.killpg(proc.pid, signal.SIGKILL)
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
