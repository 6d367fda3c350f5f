"""Writes on connections: create, pause/resume, settings, disconnect."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.integrations.crypto import credentials_decrypt, credentials_encrypt
from apps.integrations.errors import IntegrationError
from apps.integrations.models import Connection

Status = Connection.Status


def credentials_of(connection: Connection) -> dict:
    """The decrypted credentials, for the provider modules only (never for templates)."""
    return credentials_decrypt(connection.credentials_encrypted)


def connection_create(
    *,
    provider: str,
    name: str,
    base_url: str = "",
    credentials: dict,
    settings: dict | None = None,
) -> Connection:
    name = (name or "").strip()
    if not name:
        raise IntegrationError("Give the connection a name, e.g. the store's name.", field="name")
    try:
        with transaction.atomic():
            return Connection.objects.create(
                provider=provider,
                name=name[:120],
                base_url=base_url,
                credentials_encrypted=credentials_encrypt(credentials),
                settings=settings or {},
                status=Status.CONNECTED,
            )
    except IntegrityError as exc:
        raise IntegrationError(
            f"There is already a connection called {name}. Choose another name.", field="name"
        ) from exc


def connection_reconnect(
    *, connection: Connection, credentials: dict, settings: dict
) -> Connection:
    """New credentials for a known store: mappings, history and the id map stay."""
    with transaction.atomic():
        connection.credentials_encrypted = credentials_encrypt(credentials)
        connection.settings = {**connection.settings, **settings}
        connection.status, connection.status_message = Status.CONNECTED, ""
        connection.save()
        from apps.integrations.inbox import inbox_requeue_pending

        inbox_requeue_pending(connection=connection)
    return connection


def connection_credentials_update(*, connection: Connection, credentials: dict) -> None:
    merged = {**credentials_of(connection), **credentials}
    Connection.objects.filter(pk=connection.pk).update(
        credentials_encrypted=credentials_encrypt(merged)
    )
    connection.refresh_from_db(fields=["credentials_encrypted"])


def connection_settings_save(*, connection: Connection, settings: dict) -> Connection:
    connection.settings = {**connection.settings, **settings}
    connection.save(update_fields=["settings", "updated_at"])
    return connection


def connection_field_map_save(*, connection: Connection, text: str) -> list[dict]:
    """Save the field mapping written as ``channel field = Stockroom field`` lines; an unknown
    field on either side raises IntegrationError naming the line. Applies from the next
    product import (or *Import products now*)."""
    from apps.integrations.field_map import field_map_parse

    rules = field_map_parse(connection.provider, text)
    connection_settings_save(connection=connection, settings={"field_map": rules})
    return rules


def connection_pause(*, connection: Connection) -> None:
    if connection.status == Status.DISCONNECTED:
        raise IntegrationError("This connection was disconnected; connect the store again.")
    Connection.objects.filter(pk=connection.pk).update(status=Status.PAUSED, status_message="")
    connection.refresh_from_db()


def connection_resume(*, connection: Connection) -> None:
    if connection.status == Status.DISCONNECTED:
        raise IntegrationError("This connection was disconnected; connect the store again.")
    with transaction.atomic():
        Connection.objects.filter(pk=connection.pk).update(
            status=Status.CONNECTED, status_message=""
        )
        connection.refresh_from_db()
        from apps.integrations.inbox import inbox_requeue_pending

        inbox_requeue_pending(connection=connection)


def connection_error(*, connection: Connection, message: str) -> None:
    """Mark a connection as failing (paused ones stay paused: the person chose that)."""
    Connection.objects.filter(pk=connection.pk).exclude(status=Status.PAUSED).update(
        status=Status.ERROR, status_message=message[:500]
    )


def connection_healthy(*, connection: Connection) -> None:
    Connection.objects.filter(pk=connection.pk, status=Status.ERROR).update(
        status=Status.CONNECTED, status_message=""
    )


def connection_disconnect(*, connection: Connection, reason: str = "") -> None:
    """Forget the credentials (the channel revoked us, or the person disconnected)."""
    Connection.objects.filter(pk=connection.pk).update(
        status=Status.DISCONNECTED, status_message=reason[:500], credentials_encrypted=""
    )
    connection.refresh_from_db()


def sync_state_set(*, connection: Connection, entity: str, **values) -> None:
    """Merge ``values`` into the entity's state in one statement (the run's cursor, last sync).

    Its own write, outside any sync transaction: a cursor saved after a page survives a crash
    on the next page.
    """
    with transaction.atomic():
        locked = Connection.objects.select_for_update().get(pk=connection.pk)
        state = dict(locked.sync_state)
        state[entity] = {**(state.get(entity) or {}), **values}
        locked.sync_state = state
        locked.save(update_fields=["sync_state"])
    connection.sync_state = state


def sync_run_start(*, connection: Connection, entity: str) -> tuple[dict, str]:
    """The entity's saved state and the start time of this run. A run resuming from a saved
    cursor keeps the start of the run it resumes (what changed since then is read next
    time); a fresh run records now."""
    state = connection.sync_state.get(entity) or {}
    run_started = state.get("run_started") if state.get("cursor") else None
    if not run_started:
        run_started = timezone.now().isoformat()
        sync_state_set(connection=connection, entity=entity, run_started=run_started)
    return state, run_started
