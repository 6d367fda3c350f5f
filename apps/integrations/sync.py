"""Sync runs: start one (on demand, on a schedule, as a retry), execute it as a job, record it.

A run counts what it did (created, updated, skipped, failed) as it goes, keeps the offending
record of each failure, and saves the provider's cursor after every page, so a run that dies
half-way is retried from where it stopped and, thanks to the external-id map, changes nothing
it already did. A failed run marks the connection as failing and notifies the managers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from apps.core.jobs import job_enqueue, job_progress_update
from apps.integrations.errors import AuthFailed, IntegrationError
from apps.integrations.models import Connection, SyncRun
from apps.integrations.services import connection_error, connection_healthy

logger = logging.getLogger(__name__)

MAX_ERRORS = 50
# A run still "running" after this long died with its worker (django-q's timeout is 600 s).
STALE_AFTER = dt.timedelta(minutes=15)

ENTITIES = {"products": "Import products", "orders": "Import orders", "stock": "Push stock"}


def entities_for(provider: str) -> dict[str, str]:
    """The syncs a provider offers (its module has ``sync_<entity>``)."""
    from apps.integrations.providers import provider_module

    module = provider_module(provider)
    return {e: label for e, label in ENTITIES.items() if hasattr(module, f"sync_{e}")}


def _now() -> dt.datetime:
    return timezone.now()


@dataclass
class Recorder:
    """What a provider's sync function reports to while it works."""

    run: SyncRun
    job_id: str | None = None

    def count(self, outcome: str, n: int = 1) -> None:
        assert outcome in ("created", "updated", "skipped", "failed")
        SyncRun.objects.filter(pk=self.run.pk).update(**{outcome: F(outcome) + n})
        setattr(self.run, outcome, getattr(self.run, outcome) + n)

    def fail(self, record: str, message: str) -> None:
        self.count("failed")
        errors = self.run.errors
        if len(errors) < MAX_ERRORS:
            errors.append({"record": record[:200], "message": message[:500]})
            SyncRun.objects.filter(pk=self.run.pk).update(errors=errors)

    def progress(self, percent: int, message: str) -> None:
        job_progress_update(self.job_id, percent, message)


def sync_run_start(
    *, connection: Connection, entity: str, trigger: str = "manual", retry_of: SyncRun | None = None
) -> SyncRun:
    """Queue a run of ``entity``; refused while one is already running for this connection."""
    if entity not in entities_for(connection.provider):
        raise IntegrationError(f"{connection.get_provider_display()} has no sync “{entity}”.")
    if connection.status in (Connection.Status.PAUSED, Connection.Status.DISCONNECTED):
        raise IntegrationError(
            f"{connection.name} is {connection.get_status_display().lower()}: "
            "resume or reconnect it first."
        )
    SyncRun.objects.filter(
        connection=connection,
        entity=entity,
        state=SyncRun.State.RUNNING,
        started_at__lt=_now() - STALE_AFTER,
    ).update(
        state=SyncRun.State.FAILED, message="Interrupted (the worker stopped).", finished_at=_now()
    )
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(
                connection=connection, entity=entity, trigger=trigger, retry_of=retry_of
            )
            job = job_enqueue(
                "apps.integrations.sync.sync_execute",
                run.pk,
                label=f"{ENTITIES[entity]} to {connection.name}"
                if entity == "stock"
                else f"{ENTITIES[entity]} from {connection.name}",
                progress=True,
            )
            run.job_id = str(job.pk)
            run.save(update_fields=["job_id"])
    except IntegrityError as exc:
        raise IntegrationError(
            f"{ENTITIES[entity]} is already running for {connection.name}; wait for it to finish."
        ) from exc
    return run


def sync_run_retry(*, run: SyncRun) -> SyncRun:
    if run.state != SyncRun.State.FAILED and not run.failed:
        raise IntegrationError("Only a failed run, or one with failed records, can be retried.")
    return sync_run_start(
        connection=run.connection, entity=run.entity, trigger="retry", retry_of=run
    )


def _handler(connection: Connection, entity: str) -> Callable[..., str]:
    from apps.integrations.providers import provider_module

    module = provider_module(connection.provider)
    func = getattr(module, f"sync_{entity}", None)
    if func is None:
        raise IntegrationError(
            f"{connection.get_provider_display()} does not sync {ENTITIES[entity].lower()}."
        )
    return func


def sync_execute(run_id: int, job_id: str | None = None) -> str:
    """The job: run the provider's ``sync_<entity>(connection, recorder)`` and record the end."""
    run = SyncRun.objects.select_related("connection").get(pk=run_id)
    connection = run.connection
    recorder = Recorder(run=run, job_id=job_id)
    try:
        message = _handler(connection, run.entity)(connection, recorder) or ""
    except (IntegrationError, IntegrityError) as exc:
        _finish(run, SyncRun.State.FAILED, str(exc))
        connection_error(connection=connection, message=str(exc))
        if isinstance(exc, AuthFailed):
            logger.warning("Sync %s of connection %s: credentials refused", run.pk, connection.pk)
        _notify_failure(run, str(exc))
        # The job itself succeeded in recording the failure: the page shows it, not the queue.
        job_progress_update(job_id, 100, f"Failed: {exc}", result_url=_page(connection))
        return f"failed: {exc}"
    except Exception as exc:
        _finish(run, SyncRun.State.FAILED, f"Unexpected error: {exc.__class__.__name__}")
        connection_error(connection=connection, message="Unexpected error during sync.")
        _notify_failure(run, "Unexpected error during sync.")
        raise
    _finish(run, SyncRun.State.SUCCEEDED, message)
    connection_healthy(connection=connection)
    # The progress bar on the connection's page reloads it to show the run in the log.
    job_progress_update(job_id, 100, "Done", result_url=_page(connection))
    if run.failed:
        _notify_failure(run, f"{run.failed} record(s) could not be synced.")
    return message


def _page(connection: Connection) -> str:
    return reverse("integrations:detail", args=[connection.pk])


def _finish(run: SyncRun, state: str, message: str) -> None:
    SyncRun.objects.filter(pk=run.pk).update(state=state, message=message[:500], finished_at=_now())
    run.state, run.message = state, message[:500]


def _notify_failure(run: SyncRun, message: str) -> None:
    from apps.notifications.services import notification_send

    connection = run.connection
    notification_send(
        kind="sync_failed",
        title=f"{connection.name}: {ENTITIES.get(run.entity, run.entity).lower()} failed",
        body=message,
        url=_page(connection),
        dedupe_key=f"sync-run-{run.pk}",
    )
