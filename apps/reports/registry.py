from __future__ import annotations

from apps.reports.base import Report

REPORTS: dict[str, Report] = {}
GROUPS = ("Sales", "Inventory", "Purchasing and finance", "Forecasting")


def register(cls: type[Report]) -> type[Report]:
    if cls.slug in REPORTS:
        raise ValueError(f"Two reports are called {cls.slug!r}")
    REPORTS[cls.slug] = cls()
    return cls


def report_get(slug: str) -> Report | None:
    return REPORTS.get(slug)


def reports_by_group() -> list[tuple[str, list[Report]]]:
    return [
        (group, sorted((r for r in REPORTS.values() if r.group == group), key=lambda r: r.title))
        for group in GROUPS
        if any(r.group == group for r in REPORTS.values())
    ]
