"""Adding a widget is dropping a module that registers it."""

from __future__ import annotations

import pytest

from apps.accounts.models import Role
from apps.dashboard import registry
from apps.dashboard.registry import Widget, register, widgets_for


@pytest.fixture
def isolated(monkeypatch):
    monkeypatch.setattr(registry, "WIDGETS", dict(registry.WIDGETS))


class _User:
    def __init__(self, role):
        self.role = role


def test_a_registered_widget_joins_every_dashboard_in_its_position(isolated):
    @register
    class Hello(Widget):
        key = "hello"
        title = "Hello"
        template = "dashboard/widgets/_empty.html"
        position = 0

    assert widgets_for(_User(Role.VIEWER))[0].key == "hello"


def test_two_widgets_with_one_key_are_refused(isolated):
    class Twin(Widget):
        key = "low_stock"
        template = "x.html"

    with pytest.raises(ValueError, match="Two dashboard widgets are called 'low_stock'"):
        register(Twin)


def test_a_widget_needs_a_key_and_a_template(isolated):
    class Nameless(Widget):
        template = "x.html"

    with pytest.raises(ValueError, match="needs a key and a template"):
        register(Nameless)


def test_money_widgets_never_reach_clerks():
    keys = {w.key for w in widgets_for(_User(Role.CLERK))}
    money = {w.key for w in registry.WIDGETS.values() if w.money}
    assert money and not keys & money
    assert money <= {w.key for w in widgets_for(_User(Role.OWNER))}
    assert widgets_for(_User(None)) == []
