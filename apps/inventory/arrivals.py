"""Telling other apps that stock arrived, without the ledger knowing who listens.

Sales registers "reserve waiting backorders, oldest order first" here (in its
AppConfig.ready). The ledger announces the variants whose on-hand went up; after the
transaction commits, one background job per posting calls every listener in the
company's schema. A job, not a call inside the posting's transaction, so a receipt
never waits on order locks (and never deadlocks with an order being confirmed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Listener = Callable[[list[int]], object]
_listeners: dict[str, Listener] = {}


def on_stock_arrival(listener: Listener) -> Listener:
    """Register ``listener(variant_ids)``; usable as a decorator. Registering twice is a no-op."""
    _listeners[f"{listener.__module__}.{listener.__qualname__}"] = listener
    return listener


def listeners() -> list[Listener]:
    return list(_listeners.values())


def stock_arrival_announce(*, variant_ids: Iterable[int]) -> None:
    """Queue the listeners for these variants once the current transaction commits."""
    ids = sorted(set(variant_ids))
    if not ids or not _listeners:
        return
    from apps.core.jobs import job_enqueue

    job_enqueue("apps.inventory.arrivals.stock_arrived", ids, label="Stock arrived")


def stock_arrived(variant_ids: list[int]) -> None:
    """The job: runs in the company's schema (see apps.core.jobs.run_in_schema)."""
    for listener in listeners():
        listener(variant_ids)
