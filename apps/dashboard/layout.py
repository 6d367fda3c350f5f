"""Each user's arrangement of their dashboard: read (``layout_for``) and change
(``layout_move`` / ``layout_hide`` / ``layout_show`` / ``layout_reset``).

Only keys of widgets the user may see are ever stored, so a clerk cannot smuggle a
money widget onto their dashboard by posting its key. Each change locks the user's
layout row, so two tabs clicking at once do not lose a move.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from apps.core.errors import DomainError
from apps.dashboard.models import DashboardLayout
from apps.dashboard.registry import Widget, widgets_for

DIRECTIONS = ("up", "down", "top", "bottom")


class LayoutError(DomainError):
    """A change of the dashboard layout that cannot be made; the message says why."""


@dataclass(frozen=True)
class Arranged:
    widget: Widget
    hidden: bool
    first: bool
    last: bool


def _ordered_keys(saved: list, available: list[Widget]) -> list[str]:
    keys = [w.key for w in available]
    ordered = [k for k in saved if k in keys]
    return ordered + [k for k in keys if k not in ordered]


def layout_for(user) -> list[Arranged]:
    """Every widget this user may see, in their order, each marked hidden or shown (one
    query)."""
    available = widgets_for(user)
    saved = DashboardLayout.objects.filter(user=user).values("order", "hidden").first()
    saved = saved or {"order": [], "hidden": []}
    by_key = {w.key: w for w in available}
    keys = _ordered_keys(saved["order"], available)
    hidden = set(saved["hidden"])
    return [
        Arranged(by_key[k], k in hidden, first=i == 0, last=i == len(keys) - 1)
        for i, k in enumerate(keys)
    ]


def _change(user, key: str, apply) -> DashboardLayout:
    available = widgets_for(user)
    if key not in {w.key for w in available}:
        raise LayoutError("There is no such widget on your dashboard.")
    with transaction.atomic():
        DashboardLayout.objects.get_or_create(user=user)
        layout = DashboardLayout.objects.select_for_update().get(user=user)
        order = _ordered_keys(layout.order, available)
        hidden = [k for k in layout.hidden if k in order]
        order, hidden = apply(order, hidden)
        layout.order, layout.hidden = order, hidden
        layout.save(update_fields=["order", "hidden", "updated_at"])
    return layout


def layout_move(*, user, key: str, direction: str) -> DashboardLayout:
    """Move a widget one place up or down (or to the top or bottom)."""
    if direction not in DIRECTIONS:
        raise LayoutError("A widget moves up, down, to the top or to the bottom.")

    def apply(order, hidden):
        i = order.index(key)
        order.pop(i)
        j = {"up": max(i - 1, 0), "down": min(i + 1, len(order)), "top": 0}.get(
            direction, len(order)
        )
        order.insert(j, key)
        return order, hidden

    return _change(user, key, apply)


def layout_hide(*, user, key: str) -> DashboardLayout:
    return _change(user, key, lambda order, hidden: (order, sorted({*hidden, key})))


def layout_show(*, user, key: str) -> DashboardLayout:
    return _change(user, key, lambda order, hidden: (order, [k for k in hidden if k != key]))


def layout_reset(*, user) -> None:
    """Back to the default order with every widget shown."""
    DashboardLayout.objects.filter(user=user).delete()
