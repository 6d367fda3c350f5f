"""Every kind of notification the product sends, in one table.

Each kind says who receives it by default (roles) and a label for the preferences page.
A later app adds its kind here, then calls ``notification_send(kind=…)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.accounts.models import Role


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    roles: frozenset[str]


_MANAGERS = frozenset({Role.OWNER, Role.MANAGER})
_STAFF = frozenset({Role.OWNER, Role.MANAGER, Role.CLERK})

KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind("low_stock", "Items at or below their reorder point", _MANAGERS),
        Kind("stockout_predicted", "Predicted stock-out within the warning window", _MANAGERS),
        Kind("po_awaiting_approval", "Purchase orders waiting for your approval", _MANAGERS),
        Kind("order_overdue", "Sales orders overdue to ship", _STAFF),
        Kind("sync_failed", "An integration failed to sync", _MANAGERS),
        Kind("large_adjustment", "A large stock adjustment was posted", _MANAGERS),
        Kind("webhook_disabled", "A webhook was turned off after repeated failures", _MANAGERS),
        Kind("job_finished", "A long job you started has finished", _STAFF | {Role.VIEWER}),
    )
}


def kind_get(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise KeyError(
            f"Unknown notification kind {code!r}; add it to apps/notifications/kinds.py"
        ) from None
