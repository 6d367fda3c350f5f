"""What a report is: parameters, one selector that yields rows, and typed columns.

The same definition is rendered four ways (apps/reports/renderers/), so the page, the CSV,
the spreadsheet and the PDF always agree — totals included, because they are computed once
from the same rows (``Report.totals``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | qty | money | percent | ratio | date | datetime
    total: bool = False  # summed in the totals row
    sortable: bool = True

    @property
    def numeric(self) -> bool:
        return self.kind in {"int", "qty", "money", "percent", "ratio"}


class Report:
    slug: str = ""
    title: str = ""
    group: str = ""  # Sales, Inventory, Purchasing and finance, Forecasting
    description: str = ""
    capability: str = "reports.view"
    columns: list[Column] = []
    form_class: type[forms.Form] = forms.Form
    landscape: bool = False
    default_sort: str = ""

    def form(self, data=None) -> forms.Form:
        return self.form_class(data if data is not None else None)

    def rows(self, params: dict, sort: str = "") -> Iterable[dict]:
        """The report's selector: one dict per row, keys = column keys."""
        raise NotImplementedError

    def sort_key(self, sort: str) -> tuple[str, bool]:
        sort = sort or self.default_sort
        descending = sort.startswith("-")
        key = sort.lstrip("-")
        if key not in {c.key for c in self.columns if c.sortable}:
            key, descending = self.default_sort.lstrip("-"), self.default_sort.startswith("-")
        return key, descending

    def estimate_rows(self, params: dict) -> int | None:
        """A cheap guess of the row count (one COUNT query), for choosing a background job
        over an immediate download. None: small enough, never estimated."""
        return None

    def totals(self, rows: Iterable[dict]) -> dict:
        sums = self.totals_start()
        for row in rows:
            self.totals_add(sums, row)
        return self.totals_finish(sums)

    # The renderers stream rows and total them on the way with these three, so every format
    # computes the same totals the same way.
    def totals_start(self) -> dict:
        return {c.key: Decimal(0) for c in self.columns if c.total}

    def totals_add(self, sums: dict, row: dict) -> None:
        for key in sums:
            sums[key] += Decimal(row.get(key) or 0)

    def totals_finish(self, sums: dict) -> dict:
        """Override to add totals that are not sums (a ratio of two totals)."""
        return sums


@dataclass
class Result:
    """A report run: its rows (an iterator for streaming), columns and parameters."""

    report: Report
    params: dict
    sort: str = ""
    _rows: list[dict] | None = field(default=None, repr=False)

    def iter_rows(self) -> Iterator[dict]:
        yield from self.report.rows(self.params, self.sort)

    @property
    def rows(self) -> list[dict]:
        if self._rows is None:
            self._rows = list(self.iter_rows())
        return self._rows

    @property
    def totals(self) -> dict:
        return self.report.totals(self.rows)
