"""Who is acting, handed to the audit triggers through PostgreSQL session settings.

``actor_context(resolve)`` installs a database execute-wrapper for the block. Before
the first statement that writes (INSERT/UPDATE/DELETE/MERGE/WITH …), it runs one
``set_config('stockroom.actor_*', …, false)`` so the triggers can read the actor;
read-only requests never pay for it. The actor is resolved lazily (a request's user
may only be known after authentication or sign-in) and set again when it changes.

A setting changed inside a transaction or savepoint that is rolled back reverts, so
the values are set again when the transaction/savepoint they were set in may be
gone. At the end of the block the settings are cleared (connections are reused).
The set/clear statements go straight to the driver's cursor: they are plumbing of
every write request and are left out of Django's query log (and query budgets).
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

logger = logging.getLogger(__name__)

SETTINGS = ("kind", "id", "label", "ip", "user_agent")
_WRITE = re.compile(r"^\s*(?:/\*.*?\*/\s*)*(INSERT|UPDATE|DELETE|MERGE|WITH|COPY)\b", re.I | re.S)


@dataclass(frozen=True)
class Actor:
    kind: str = ""
    id: str = ""
    label: str = ""
    ip: str = ""
    user_agent: str = ""

    def values(self) -> tuple[str, ...]:
        return (self.kind, self.id, self.label[:255], _clean_ip(self.ip), self.user_agent[:400])


def _clean_ip(value: str) -> str:
    # The trigger casts to inet: a malformed value must never break the user's write.
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return ""


def _set_sql() -> str:
    return "SELECT " + ", ".join(
        f"set_config('stockroom.actor_{name}', %s, false)" for name in SETTINGS
    )


class _ActorApplier:
    def __init__(self, resolve: Callable[[], Actor]):
        self.resolve = resolve
        self.applied: tuple[str, ...] | None = None
        self.applied_in: tuple | None = None  # savepoints open when applied; None = committed
        self.busy = False

    def _still_valid(self, conn) -> bool:
        if self.applied is None:
            return False
        if self.applied_in is None:
            return True
        # Set inside a transaction: valid while that transaction and every savepoint that
        # was open then are still open (a rollback of any of them reverted the values).
        if not conn.in_atomic_block:
            return False
        current = tuple(conn.savepoint_ids)
        return current[: len(self.applied_in)] == self.applied_in

    def __call__(self, execute, sql, params, many, context):
        if not self.busy and isinstance(sql, str) and _WRITE.match(sql):
            self.busy = True
            try:
                self._apply(context)
            finally:
                self.busy = False
        return execute(sql, params, many, context)

    def _apply(self, context) -> None:
        conn = context["connection"]
        try:
            values = self.resolve().values()
        except Exception:  # resolving must never stop a write
            logger.exception("Could not resolve the audit actor")
            values = Actor(kind="system").values()
        if values == self.applied and self._still_valid(conn):
            return
        context["cursor"].cursor.execute(_set_sql(), values)
        self.applied = values
        self.applied_in = tuple(conn.savepoint_ids) if conn.in_atomic_block else None

    def clear(self) -> None:
        if self.applied is None or connection.connection is None:
            return
        try:
            with connection.connection.cursor() as cursor:
                cursor.execute(_set_sql(), ("",) * len(SETTINGS))
        except Exception:  # a broken transaction: the values revert with its rollback
            logger.debug("Could not clear the audit actor", exc_info=True)
        self.applied = None


@contextmanager
def actor_context(resolve: Callable[[], Actor] | Actor):
    """Everything written inside the block is attributed to the actor."""
    if isinstance(resolve, Actor):
        actor = resolve
        resolve = lambda: actor  # noqa: E731
    applier = _ActorApplier(resolve)
    with connection.execute_wrapper(applier):
        try:
            yield applier
        finally:
            applier.clear()


def job_actor(func_path: str) -> Actor:
    kind = "integration" if func_path.startswith("apps.integrations.") else "job"
    return Actor(kind=kind, label=func_path.rsplit(".", 2)[-2:][-1].replace("_", " ")[:255])
