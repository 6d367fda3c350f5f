"""Background jobs for a tenant: one way in, one wrapper that runs them.

``job_enqueue`` records which schema the job belongs to and hands django-q2 the
task only when the surrounding transaction commits (so the worker never sees
rows that are not there yet). The worker always runs ``run_in_schema``, which
switches to that schema before calling the real function. Nothing here ever
runs a job inline: if the worker is down, jobs wait in the queue.
"""

from __future__ import annotations

import inspect
import logging
from importlib import import_module

from django.db import connection, transaction
from django.utils import timezone
from django_q.tasks import async_task
from django_tenants.utils import get_public_schema_name, schema_context

from apps.audit.context import actor_context, job_actor
from apps.core.models import JobProgress

logger = logging.getLogger(__name__)


def _import(func_path: str):
    module, _, name = func_path.rpartition(".")
    return getattr(import_module(module), name)


def job_enqueue(
    func_path: str,
    *args,
    schema_name: str | None = None,
    label: str = "",
    progress: bool = False,
    **kwargs,
) -> JobProgress | None:
    """Queue ``func_path(*args, **kwargs)`` to run inside ``schema_name`` (default: the current schema).

    With ``progress=True`` a JobProgress row is created and returned; the function
    then receives ``job_id`` and may call ``job_progress_update``.
    """
    _import(func_path)  # fail now, in the request, if the path is wrong
    schema = schema_name or connection.schema_name
    job = None
    if progress:
        job = JobProgress.objects.create(
            schema_name=schema, label=label or func_path, func_path=func_path
        )
    job_id = str(job.pk) if job else None
    transaction.on_commit(
        lambda: async_task(
            "apps.core.jobs.run_in_schema",
            schema,
            func_path,
            job_id,
            *args,
            task_name=(label or func_path)[:100],
            **kwargs,
        )
    )
    return job


def run_in_schema(schema_name: str, func_path: str, job_id: str | None, *args, **kwargs):
    """The task the worker runs: switch to the tenant's schema, then call the function."""
    func = _import(func_path)
    if job_id is not None and "job_id" in inspect.signature(func).parameters:
        kwargs["job_id"] = job_id
    _set(job_id, state=JobProgress.State.RUNNING)
    try:
        with schema_context(schema_name), actor_context(job_actor(func_path)):
            result = func(*args, **kwargs)
    except Exception as exc:
        logger.exception("Job %s failed in schema %s", func_path, schema_name)
        _set(
            job_id,
            state=JobProgress.State.FAILED,
            error=str(exc) or exc.__class__.__name__,
            message="Failed",
            finished_at=timezone.now(),
        )
        raise
    _set(job_id, state=JobProgress.State.SUCCEEDED, percent=100, finished_at=timezone.now())
    return result


def _set(job_id: str | None, **fields) -> None:
    if job_id is None:
        return
    with schema_context(get_public_schema_name()):
        JobProgress.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def job_progress_update(
    job_id: str | None, percent: int, message: str = "", *, result_url: str | None = None
) -> None:
    fields = {"percent": max(0, min(100, int(percent))), "message": message[:255]}
    if result_url is not None:
        fields["result_url"] = result_url
    _set(job_id, **fields)


def fan_out(func_path: str, *args, **kwargs) -> int:
    """Run from one global schedule: queue ``func_path`` once for every active company."""
    from apps.tenants.selectors import tenants_active

    count = 0
    for schema in tenants_active().values_list("schema_name", flat=True):
        job_enqueue(func_path, *args, schema_name=schema, **kwargs)
        count += 1
    return count
