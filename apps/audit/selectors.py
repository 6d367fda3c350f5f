"""Reads of the audit log, shared by the pages and the CSV export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.audit.models import SECURITY_ACTIONS, Action, AuditEvent
from apps.audit.tracked import TRACKED

SORTS = {"when": ("created_at", "id"), "-when": ("-created_at", "-id")}


@dataclass
class LogFilters:
    user: str = ""  # e-mail (part) or actor id
    table: str = ""  # a tracked table, or "security"
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""  # record id or text in the changes

    @property
    def any(self) -> bool:
        return any((self.user, self.table, self.action, self.date_from, self.date_to, self.q))


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events(filters: LogFilters, *, sort: str = "-when") -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.all()
    if filters.user:
        qs = qs.filter(Q(actor_label__icontains=filters.user) | Q(actor_id=filters.user))
    if filters.table == "security":
        qs = qs.filter(action__in=SECURITY_ACTIONS)
    elif filters.table:
        qs = qs.filter(table_name=filters.table)
    if filters.action in Action.values:
        qs = qs.filter(action=filters.action)
    if filters.date_from:
        qs = qs.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(created_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.q:
        qs = qs.filter(Q(record_pk=filters.q) | Q(changes__icontains=filters.q))
    return qs.order_by(*SORTS.get(sort, SORTS["-when"]))


def record_timeline(table: str, pk: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(table_name=table, record_pk=str(pk)).order_by(
        "-created_at", "-id"
    )


def table_choices() -> list[tuple[str, str]]:
    return [("security", "Security events")] + sorted(
        ((t.table, t.label) for t in TRACKED), key=lambda choice: choice[1]
    )
