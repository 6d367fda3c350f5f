"""Test-only jobs for the reliability tests: slow, staged tenant writes."""

from __future__ import annotations

import time
from pathlib import Path

from django.db import connection, transaction

from apps.accounts.models import Role, User


def staged_write(marker: str, attempts_file: str) -> int:
    """Create three users in one transaction, one stage at a time.

    Each attempt appends a line to ``attempts_file`` before its first write. The
    first attempt then stalls (the test kills the worker there); later attempts
    finish quickly. Returns how many users the attempt created.
    """
    log = Path(attempts_file)
    with log.open("a") as fh:
        fh.write("start\n")
    first = len(log.read_text().splitlines()) == 1
    with transaction.atomic():
        for stage in range(3):
            User.objects.create_user(
                email=f"{marker}-{stage}@{connection.schema_name}.job",
                password=None,
                role=Role.VIEWER,
            )
            if stage == 0:
                with log.open("a") as fh:
                    fh.write("stage 0 written\n")
                time.sleep(60 if first else 0.2)
    return 3


_WRITES = ("INSERT", "UPDATE", "DELETE")
# The job machinery's own bookkeeping is not the job's work.
_BOOKKEEPING = ("core_jobprogress", "django_q_")


def stalled_once(
    func_path: str,
    attempts_file: str,
    *args,
    job_id: str | None = None,
    stall_on: str = "",
    stall_count: int = 1,
    **kwargs,
):
    """Run the real job ``func_path``; on the first attempt, stall right after its first write.

    Works for any job: a database hook watches the job's statements, notes "first write" in
    ``attempts_file`` after the first INSERT/UPDATE/DELETE of the job's own tables, and (first
    attempt only) sleeps there so the test can kill the worker mid-job. ``stall_on`` (a table
    name) and ``stall_count`` move the stall to the n-th write of that table instead, so a job
    that commits record by record can be killed with some records done and one half-written.
    """
    import inspect

    from apps.core.jobs import _import

    log = Path(attempts_file)
    with log.open("a") as fh:
        fh.write("start\n")
    first = log.read_text().count("start") == 1
    state = {"stalled": False, "writes": 0}

    def hook(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        statement = sql.lstrip().upper()
        if (
            not state["stalled"]
            and statement.startswith(_WRITES)
            and not any(table in sql for table in _BOOKKEEPING)
            and stall_on in sql
        ):
            state["writes"] += 1
            if state["writes"] < stall_count:
                return result
            state["stalled"] = True
            with log.open("a") as fh:
                fh.write("first write\n")
            if first:
                time.sleep(60)
        return result

    func = _import(func_path)
    if job_id is not None and "job_id" in inspect.signature(func).parameters:
        kwargs["job_id"] = job_id
    with connection.execute_wrapper(hook):
        return func(*args, **kwargs)
