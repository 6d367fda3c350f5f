"""What every importer shares: columns and header mapping, cell parsing, the row plan.

An importer plans each row against a context loaded up front (a fixed number of
queries whatever the file's size) and records each planned row's effect in that
context, so later rows see earlier ones (a duplicate SKU, stock already taken).
Planning never writes; ``apply`` writes one planned row through the owning app's
services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from apps.importexport.errors import ImportExportError


@dataclass(frozen=True)
class Column:
    name: str
    help: str
    example: str = ""
    required: bool = False  # the column must be in the header
    aliases: tuple[str, ...] = ()


def normalise_header(value: str) -> str:
    value = (value or "").strip().strip("*").strip().lower()
    return re.sub(r"[\s\-./]+", "_", value)


@dataclass
class HeaderMap:
    positions: dict[str, int]  # column name -> index in the row
    ignored: list[str]


def map_header(header: list[str], columns: tuple[Column, ...]) -> HeaderMap:
    """Match the file's header to the importer's columns, ignoring case, spaces and aliases."""
    lookup: dict[str, str] = {}
    for column in columns:
        for name in (column.name, *column.aliases):
            lookup[normalise_header(name)] = column.name
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        name = lookup.get(normalise_header(title))
        if name is None:
            if title.strip():
                ignored.append(title.strip())
            continue
        if name in positions:
            raise ImportExportError(
                f"The column “{name}” appears twice in the header (as “{header[positions[name]]}” "
                f"and “{title}”). Keep one."
            )
        positions[name] = index
    missing = [c.name for c in columns if c.required and c.name not in positions]
    if missing:
        found = ", ".join(h for h in header if h.strip()) or "nothing"
        raise ImportExportError(
            f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
            f"The first row must name the columns (found: {found[:300]}). "
            "Download the template to see them."
        )
    return HeaderMap(positions=positions, ignored=ignored)


class Row:
    """One data row: cells by column name; a column not in the file is ``None``."""

    def __init__(self, number: int, cells: list[str], header: HeaderMap):
        self.number = number
        self._values = {
            name: (cells[index] if index < len(cells) else "")
            for name, index in header.positions.items()
        }
        self.errors: list[dict[str, str]] = []

    def has(self, name: str) -> bool:
        return name in self._values

    def get(self, name: str) -> str | None:
        """The cell's text; None when the column is absent or the cell blank (leave as is)."""
        value = self._values.get(name)
        return value if value else None

    def error(self, column: str, message: str) -> None:
        self.errors.append({"column": column, "message": message})

    # --- typed cells: each returns None on a blank cell or an error (recorded) ---

    def decimal(
        self, name: str, *, minimum: Decimal | None = None, places: int = 4, signed: bool = True
    ) -> Decimal | None:
        text = self.get(name)
        if text is None:
            return None
        cleaned = text.replace(" ", "").replace("\u00a0", "")
        if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", cleaned):
            cleaned = cleaned.replace(",", "")  # 1,234.50
        elif re.fullmatch(r"[+-]?\d+,\d+", cleaned):
            cleaned = cleaned.replace(",", ".")  # 12,50 from a comma-decimal locale
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            self.error(name, f"“{text}” is not a number. Write it like 12.50.")
            return None
        if not value.is_finite():
            self.error(name, f"“{text}” is not a number. Write it like 12.50.")
            return None
        if minimum is not None and value < minimum:
            self.error(name, f"{text} is below {minimum}: enter {minimum} or more.")
            return None
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            self.error(name, f"{text} has more than {places} decimal places.")
            return None
        if abs(value) >= Decimal(10) ** (14 - places):
            self.error(name, f"{text} is too large.")
            return None
        return value

    def integer(self, name: str, *, minimum: int = 0, maximum: int = 32767) -> int | None:
        text = self.get(name)
        if text is None:
            return None
        try:
            value = Decimal(text)
            if value != value.to_integral_value():
                raise InvalidOperation
            number = int(value)
        except (InvalidOperation, ValueError):
            self.error(name, f"“{text}” is not a whole number.")
            return None
        if not minimum <= number <= maximum:
            self.error(name, f"{text} must be between {minimum} and {maximum}.")
            return None
        return number

    def boolean(self, name: str) -> bool | None:
        text = self.get(name)
        if text is None:
            return None
        lowered = text.lower()
        if lowered in ("1", "true", "yes", "y", "active", "x"):
            return True
        if lowered in ("0", "false", "no", "n", "archived", "inactive"):
            return False
        self.error(name, f"“{text}” is not yes or no (write yes, no, true or false).")
        return None

    def text(self, name: str, *, max_length: int) -> str | None:
        value = self.get(name)
        if value is not None and len(value) > max_length:
            self.error(name, f"Too long: at most {max_length} characters (this has {len(value)}).")
            return None
        return value


@dataclass
class RowPlan:
    number: int
    action: str  # ImportRow.Action
    key: str = ""
    changes: list[list[str]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # what apply needs; never stored


def shown(value) -> str:
    """A value as the preview shows it."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}"
        return "0" if text == "-0" else text
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return options_text(value)
    return str(value)


def options_text(options: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in options.items())


def diff(changes: list[list[str]], label: str, old, new) -> None:
    """Record a change when the file gives a value that differs from the current one."""
    if new is None:
        return
    if isinstance(new, Decimal) and old is not None:
        if Decimal(old) == new:
            return
    elif old == new:
        return
    changes.append([label, shown(old), shown(new)])


class Importer:
    kind: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str]
    capability: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    action_labels: ClassVar[dict[str, str]] = {}

    def __init__(self, *, user=None, batch=None):
        self.user = user
        self.batch = batch

    def prepare(self, rows: list[Row]) -> None:
        """Load everything the rows refer to, in a fixed number of queries."""

    def plan(self, row: Row) -> RowPlan:
        raise NotImplementedError

    def apply_order(self, plans: list[RowPlan]) -> list[RowPlan]:
        return plans

    def before_apply(self, plans: list[RowPlan]) -> None:
        """Called inside the confirm's transaction before the first row is written."""

    def apply(self, plan: RowPlan) -> None:
        raise NotImplementedError

    # An importer whose rows are plain data (no per-row service rules) may write them all
    # at once instead: define ``apply_many(plans)`` and ``apply`` is not called.
    apply_many = None

    @classmethod
    def template_row(cls) -> list[str]:
        return [c.example for c in cls.columns]
