"""Telling other apps that stock changed, without the ledger knowing who listens.

``stock_moves_post`` calls every listener with the moves it just wrote, inside its
transaction and after its balances are updated: a listener's own writes (a webhook
delivery row, an outbox entry for a channel) commit or roll back with the stock.
Listeners must be cheap (a query or two, nothing per move) and must never post stock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Listener = Callable[[Sequence], object]
_listeners: dict[str, Listener] = {}


def on_stock_change(listener: Listener) -> Listener:
    """Register ``listener(moves)``; usable as a decorator. Registering twice is a no-op."""
    _listeners[f"{listener.__module__}.{listener.__qualname__}"] = listener
    return listener


def stock_change_announce(moves: Sequence) -> None:
    if not moves:
        return
    for listener in list(_listeners.values()):
        listener(moves)
