"""The tidy input contract, the holiday calendar and the dense matrix the models work on.

A tidy frame has one row per series and day: ``series_id``, ``date``, ``quantity``, and
optionally ``price``, ``promo`` and ``stockout``. Days flagged as stock-outs are lost
sales, not zero demand: they become missing values and are imputed before modelling.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

REQUIRED = ("series_id", "date", "quantity")
OPTIONAL = ("price", "promo", "stockout")


class DataError(ValueError):
    """The input cannot be forecast as given; the message says what to fix."""


def validate_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Check the tidy contract and return a clean, sorted copy (dates as day timestamps)."""
    if not isinstance(frame, pd.DataFrame):
        raise DataError("Demand history must be a pandas DataFrame.")
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise DataError(f"Demand history is missing column(s): {', '.join(missing)}.")
    if frame.empty:
        raise DataError("Demand history is empty: there is nothing to forecast.")
    columns = [c for c in (*REQUIRED, *OPTIONAL) if c in frame.columns]
    out = frame[columns].copy()
    if out["series_id"].isna().any():
        raise DataError("Some rows have no series_id.")
    try:
        out["date"] = pd.to_datetime(out["date"]).dt.normalize()
    except (ValueError, TypeError) as exc:
        raise DataError(f"Column 'date' holds values that are not dates ({exc}).") from exc
    if out["date"].isna().any():
        raise DataError("Some rows have no date.")
    quantity = pd.to_numeric(out["quantity"], errors="coerce")
    if quantity.isna().any():
        bad = out.loc[quantity.isna(), "quantity"].iloc[0]
        raise DataError(f"Column 'quantity' must be numeric; found {bad!r}.")
    if not np.isfinite(quantity.to_numpy(dtype=float)).all():
        raise DataError("Column 'quantity' holds infinite values.")
    if (quantity < 0).any():
        raise DataError(
            "Column 'quantity' has negative values; net returns against shipments first "
            "(demand per day must be zero or more)."
        )
    out["quantity"] = quantity.astype(float)
    if "price" in out.columns:
        price = pd.to_numeric(out["price"], errors="coerce")
        if (price < 0).any():
            raise DataError("Column 'price' has negative values.")
        out["price"] = price.astype(float)
    for flag in ("promo", "stockout"):
        if flag in out.columns:
            out[flag] = out[flag].fillna(False).astype(bool)
    duplicated = out.duplicated(["series_id", "date"])
    if duplicated.any():
        row = out.loc[duplicated].iloc[0]
        raise DataError(
            f"Series {row['series_id']!r} has more than one row for {row['date']:%Y-%m-%d}; "
            "sum them into one daily row."
        )
    return out.sort_values(["series_id", "date"], kind="stable").reset_index(drop=True)


# --- holidays -------------------------------------------------------------------------------

# Fixed-date public holidays (month, day) per ISO country; a small built-in table because the
# `holidays` package is not a dependency. Movable feasts are computed below.
_FIXED = {
    "US": [(1, 1), (6, 19), (7, 4), (11, 11), (12, 25)],
    "GB": [(1, 1), (12, 25), (12, 26)],
    "IE": [(1, 1), (3, 17), (12, 25), (12, 26)],
    "DE": [(1, 1), (5, 1), (10, 3), (12, 25), (12, 26)],
    "AT": [(1, 1), (1, 6), (5, 1), (8, 15), (10, 26), (11, 1), (12, 8), (12, 25), (12, 26)],
    "CH": [(1, 1), (8, 1), (12, 25), (12, 26)],
    "FR": [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)],
    "BE": [(1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25)],
    "NL": [(1, 1), (4, 27), (12, 25), (12, 26)],
    "ES": [(1, 1), (1, 6), (5, 1), (8, 15), (10, 12), (11, 1), (12, 6), (12, 8), (12, 25)],
    "IT": [(1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26)],
    "CA": [(1, 1), (7, 1), (12, 25), (12, 26)],
    "AU": [(1, 1), (1, 26), (4, 25), (12, 25), (12, 26)],
}
# Offsets in days from Easter Sunday.
_EASTER = {
    "GB": [-2, 1],
    "IE": [1],
    "DE": [-2, 1, 39, 50],
    "AT": [1, 39, 50, 60],
    "CH": [-2, 1, 39, 50],
    "FR": [1, 39, 50],
    "BE": [1, 39, 50],
    "NL": [-2, 1, 39, 50],
    "ES": [-2],
    "IT": [1],
    "CA": [-2],
    "AU": [-2, 1],
}


def easter(year: int) -> dt.date:
    """Western Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """n-th (1-based; -1 = last) weekday (Mon=0) of a month."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _movable(country: str, year: int) -> list[dt.date]:
    out = [easter(year) + dt.timedelta(days=o) for o in _EASTER.get(country, [])]
    if country == "US":  # MLK, Presidents, Memorial, Labor, Columbus, Thanksgiving
        out += [
            _nth_weekday(year, 1, 0, 3),
            _nth_weekday(year, 2, 0, 3),
            _nth_weekday(year, 5, 0, -1),
            _nth_weekday(year, 9, 0, 1),
            _nth_weekday(year, 10, 0, 2),
            _nth_weekday(year, 11, 3, 4),
        ]
    elif country == "GB":  # early May, spring and summer bank holidays
        out += [
            _nth_weekday(year, 5, 0, 1),
            _nth_weekday(year, 5, 0, -1),
            _nth_weekday(year, 8, 0, -1),
        ]
    elif country == "CA":  # Victoria Day (Monday before May 25), Labour, Thanksgiving
        out += [
            dt.date(year, 5, 24) - dt.timedelta(days=dt.date(year, 5, 24).weekday()),
            _nth_weekday(year, 9, 0, 1),
            _nth_weekday(year, 10, 0, 2),
        ]
    return out


@dataclass(frozen=True)
class Calendar:
    """Holidays of one country; ``extra`` adds tenant-specific closing days or events."""

    country: str = ""
    extra: frozenset[dt.date] = field(default_factory=frozenset)

    def holidays(self, start: dt.date, end: dt.date) -> set[dt.date]:
        country = (self.country or "").upper()
        if country and country not in _FIXED:
            raise DataError(
                f"No holiday table for country {self.country!r}; known: {', '.join(sorted(_FIXED))}."
            )
        days: set[dt.date] = set()
        for year in range(start.year, end.year + 1):
            days.update(dt.date(year, m, d) for m, d in _FIXED.get(country, []))
            days.update(_movable(country, year))
        days.update(self.extra)
        return {d for d in days if start <= d <= end}

    def flags(self, dates: pd.DatetimeIndex) -> np.ndarray:
        """1.0 on holidays, else 0.0, aligned with ``dates``."""
        if len(dates) == 0:
            return np.zeros(0)
        days = self.holidays(dates[0].date(), dates[-1].date())
        return np.fromiter((d.date() in days for d in dates), dtype=float, count=len(dates))


# --- dense matrix ---------------------------------------------------------------------------


@dataclass
class Panel:
    """All series on one daily date index: rows are series, columns days.

    ``y`` holds demand with NaN before a series starts and on stock-out days (lost sales are
    unknown demand, not zero). ``observed`` marks real, non-stock-out days.
    """

    series_ids: np.ndarray
    dates: pd.DatetimeIndex
    y: np.ndarray
    price: np.ndarray | None = None
    promo: np.ndarray | None = None
    stockout: np.ndarray | None = None

    @property
    def n_series(self) -> int:
        return self.y.shape[0]

    @property
    def n_days(self) -> int:
        return self.y.shape[1]

    def subset(self, rows: np.ndarray) -> Panel:
        pick = lambda a: None if a is None else a[rows]  # noqa: E731
        return Panel(
            self.series_ids[rows],
            self.dates,
            self.y[rows],
            pick(self.price),
            pick(self.promo),
            pick(self.stockout),
        )


def to_panel(frame: pd.DataFrame) -> Panel:
    """Pivot a (validated) tidy frame to a dense panel; missing days inside a series are zero."""
    frame = validate_frame(frame)
    codes, ids = pd.factorize(frame["series_id"], sort=True)
    start, end = frame["date"].min(), frame["date"].max()
    dates = pd.date_range(start, end, freq="D")
    cols = ((frame["date"] - start).dt.days).to_numpy()
    n, t = len(ids), len(dates)
    y = np.zeros((n, t))
    y[codes, cols] = frame["quantity"].to_numpy()
    first = np.full(n, t)
    np.minimum.at(first, codes, cols)
    before_start = np.arange(t)[None, :] < first[:, None]
    y[before_start] = np.nan
    stockout = None
    if "stockout" in frame.columns:
        stockout = np.zeros((n, t), dtype=bool)
        stockout[codes, cols] = frame["stockout"].to_numpy()
        y[stockout] = np.nan
    price = None
    if "price" in frame.columns:
        price = np.full((n, t), np.nan)
        price[codes, cols] = frame["price"].to_numpy()
        price = pd.DataFrame(price.T).ffill().bfill().to_numpy().T
    promo = None
    if "promo" in frame.columns:
        promo = np.zeros((n, t))
        promo[codes, cols] = frame["promo"].to_numpy(dtype=float)
    return Panel(np.asarray(ids), dates, y, price, promo, stockout)


def impute_lost_sales(y: np.ndarray) -> np.ndarray:
    """Fill NaNs after a series' first observation with the mean of the same weekday over
    the previous four weeks (falling back to the trailing 28-day mean, then 0).

    Leading NaNs (before the series started) stay NaN: models treat them as no history.
    """
    y = np.array(y, dtype=float)
    missing = np.isnan(y)
    if not missing.any():
        return y
    started = np.cumsum(~missing, axis=1) > 0
    holes = missing & started
    if not holes.any():
        return y
    frame = pd.DataFrame(y.T)
    trailing = frame.rolling(28, min_periods=1).mean().shift(1).to_numpy().T
    for col in np.flatnonzero(holes.any(axis=0)):
        rows = holes[:, col]
        lags = [col - 7 * k for k in range(1, 5) if col - 7 * k >= 0]
        same_day = np.full(rows.sum(), np.nan)
        if lags:
            block = y[np.ix_(rows, lags)]
            count = (~np.isnan(block)).sum(axis=1)
            total = np.nansum(block, axis=1)
            same_day = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        fill = np.where(np.isnan(same_day), trailing[rows, col], same_day)
        y[rows, col] = np.where(np.isnan(fill), 0.0, fill)
    return y


def planned_covariates(
    future: pd.DataFrame, panel: Panel, dates: pd.DatetimeIndex
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Planned price and promotion for the forecast days (series × horizon), from a frame
    with ``series_id``, ``date`` and ``price`` and/or ``promo``. Days a plan leaves out get
    no promotion and the series' regular price (median of its last 91 days). Only what the
    history also has is used: a model cannot learn a promotion effect it never saw."""
    if not isinstance(future, pd.DataFrame):
        raise DataError("Planned prices/promotions must be a pandas DataFrame.")
    missing = [c for c in ("series_id", "date") if c not in future.columns]
    if missing:
        raise DataError(f"Planned prices/promotions are missing column(s): {', '.join(missing)}.")
    try:
        days = pd.to_datetime(future["date"]).dt.normalize()
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"Planned prices/promotions hold dates that are not dates ({exc})."
        ) from exc
    unknown = sorted(set(future["series_id"]) - set(panel.series_ids), key=str)
    if unknown:
        raise DataError(
            f"Planned prices/promotions name series without history: {unknown[0]!r}"
            + (f" and {len(unknown) - 1} more." if len(unknown) > 1 else ".")
        )
    outside = ~days.isin(dates)
    if outside.any():
        raise DataError(
            f"Planned prices/promotions must fall in the forecast days {dates[0]:%Y-%m-%d} to "
            f"{dates[-1]:%Y-%m-%d}; found {days[outside].iloc[0]:%Y-%m-%d}."
        )
    if future.duplicated(["series_id", "date"]).any():
        raise DataError("Planned prices/promotions have more than one row for a series and day.")
    rows = pd.Index(panel.series_ids).get_indexer(future["series_id"])
    cols = ((days - dates[0]).dt.days).to_numpy()
    n, h = panel.n_series, len(dates)
    price = promo = None
    if panel.price is not None and "price" in future.columns:
        planned = pd.to_numeric(future["price"], errors="coerce").to_numpy(dtype=float)
        if (planned < 0).any():
            raise DataError("Planned prices cannot be negative.")
        regular = np.nanmedian(panel.price[:, -91:], axis=1)
        price = np.repeat(regular[:, None], h, axis=1)
        given = ~np.isnan(planned)
        price[rows[given], cols[given]] = planned[given]
    if panel.promo is not None and "promo" in future.columns:
        promo = np.zeros((n, h))
        promo[rows, cols] = future["promo"].fillna(False).astype(bool).to_numpy(dtype=float)
    return price, promo
