"""The external-id map: which local record is which record on the channel."""

from __future__ import annotations

from apps.integrations.models import Connection, ExternalId


def local_for(connection: Connection, entity: str, external_id: str) -> ExternalId | None:
    return ExternalId.objects.filter(
        connection=connection, entity=entity, external_id=str(external_id)
    ).first()


def external_for(connection: Connection, entity: str, local_id: int) -> ExternalId | None:
    return ExternalId.objects.filter(
        connection=connection, entity=entity, local_id=local_id
    ).first()


def link(
    connection: Connection,
    entity: str,
    *,
    local_id: int,
    external_id: str,
    data: dict | None = None,
) -> tuple[ExternalId, bool]:
    """Map a local record to a remote one (idempotent). A local record already mapped to
    another remote id is re-pointed: the channel recreated it."""
    row, created = ExternalId.objects.update_or_create(
        connection=connection,
        entity=entity,
        local_id=local_id,
        defaults={"external_id": str(external_id), "data": data or {}},
    )
    return row, created
