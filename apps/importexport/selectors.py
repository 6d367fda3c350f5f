"""Reads for the import pages; each list is a fixed number of queries."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.permissions import user_can
from apps.importexport.importers import IMPORTERS
from apps.importexport.models import ImportBatch, ImportRow

BATCH_SORTS = {
    "created": "created_at",
    "kind": "kind",
    "status": "status",
    "rows": "row_count",
    "file": "filename",
}


def importable_kinds(user) -> list[str]:
    return [kind for kind, cls in IMPORTERS.items() if user_can(user, cls.capability)]


ROW_SORTS = {"number": "number", "action": "action", "key": "key"}


def batches_list(
    *, kinds: list[str], kind: str = "", status: str = "", search: str = "", sort: str = "-created"
) -> QuerySet[ImportBatch]:
    qs = ImportBatch.objects.filter(kind__in=kinds).select_related("created_by").defer("content")
    if search:
        qs = qs.filter(filename__icontains=search)
    if kind:
        qs = qs.filter(kind=kind)
    if status in ImportBatch.Status.values:
        qs = qs.filter(status=status)
    descending = sort.startswith("-")
    field = BATCH_SORTS.get(sort.lstrip("-"), "created_at")
    return qs.order_by(("-" if descending else "") + field, "-id")


def batch_rows(
    *, batch: ImportBatch, action: str = "", sort: str = "number"
) -> QuerySet[ImportRow]:
    qs = batch.rows.all()
    if action in ImportRow.Action.values:
        qs = qs.filter(action=action)
    elif action == "changes":
        qs = qs.filter(action__in=["create", "update"])
    descending = sort.startswith("-")
    field = ROW_SORTS.get(sort.lstrip("-"), "number")
    return qs.order_by(("-" if descending else "") + field, "number")
