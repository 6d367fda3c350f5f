"""The widget registry: one module per widget under ``apps/dashboard/widgets/``.

A widget is a small class with a selector (``data``) that returns a dict for its
partial template, and optionally ``chart`` that turns that dict into the JSON a
Chart.js canvas reads from the widget's own endpoint. Dropping a module into the
``widgets`` package that calls ``@register`` is all it takes to add one: the package
imports every module in it when Django starts.

Who sees a widget is decided here, on the server: ``roles`` limits the audience and
``money`` widgets are never shown to (or served to) clerks. Widgets that mix counts and
money compute the money only when ``ctx.show_money``.
"""

from __future__ import annotations

from typing import ClassVar

from apps.accounts.models import Role
from apps.dashboard.context import WidgetContext, shows_money

EVERYONE = frozenset(Role.values)


class Widget:
    key: ClassVar[str] = ""
    title: ClassVar[str] = ""
    icon: ClassVar[str] = "speedometer2"
    # "card": a KPI, a quarter of the row on wide screens; "chart": half; "wide": full row.
    size: ClassVar[str] = "card"
    template: ClassVar[str] = ""
    roles: ClassVar[frozenset] = EVERYONE
    money: ClassVar[bool] = False
    # Whether the date-range picker changes what it shows (the card says so).
    uses_range: ClassVar[bool] = False
    # At most this many queries for ``data`` (and ``chart``), whatever the number of rows.
    query_budget: ClassVar[int] = 3
    has_chart: ClassVar[bool] = False
    chart_label: ClassVar[str] = ""
    # The order of the widgets on a dashboard nobody has arranged yet.
    position: ClassVar[int] = 100

    def visible_to(self, user) -> bool:
        if getattr(user, "role", None) not in self.roles:
            return False
        return shows_money(user) or not self.money

    def data(self, ctx: WidgetContext) -> dict:
        raise NotImplementedError

    def chart(self, ctx: WidgetContext, data: dict) -> dict:
        """``{"type", "labels", "datasets": [{"label", "data"}], "money"}`` for Chart.js."""
        raise NotImplementedError

    @property
    def css_class(self) -> str:
        return {
            "card": "col-12 col-sm-6 col-xl-3",
            "chart": "col-12 col-xl-6",
            "wide": "col-12",
        }[self.size]


WIDGETS: dict[str, Widget] = {}


def register(cls: type[Widget]) -> type[Widget]:
    if not cls.key or not cls.template:
        raise ValueError(f"{cls.__name__} needs a key and a template")
    if cls.key in WIDGETS:
        raise ValueError(f"Two dashboard widgets are called {cls.key!r}")
    WIDGETS[cls.key] = cls()
    return cls


def widget_get(key: str) -> Widget | None:
    return WIDGETS.get(key)


def widgets_for(user) -> list[Widget]:
    """The widgets this user may see, in the default order."""
    return sorted(
        (w for w in WIDGETS.values() if w.visible_to(user)), key=lambda w: (w.position, w.key)
    )
