"""The one interface every model follows: ``fit(history, context) -> self``, then
``forecast(horizon) -> Forecast`` with point forecasts and, where the model has its own
distribution (ETS), quantiles. Other models get conformal quantiles from ``ml.intervals``.

Models work on a whole panel at once (rows = series, columns = days) so that a thousand
series cost about as much as one where the maths allows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Context:
    """What a model may know besides the demand history: dates, calendar and covariates.

    Arrays with a time axis cover history *and* horizon (``n_days + horizon`` columns) for
    things known in advance (holidays, planned price/promotion); history-only arrays are fine
    too, the future then repeats the last known value.
    """

    dates: pd.DatetimeIndex | None = None
    holidays: np.ndarray | None = None  # 1-d, history + future
    price: np.ndarray | None = None  # series × days
    promo: np.ndarray | None = None  # series × days
    classes: np.ndarray | None = None  # demand class per series
    series_codes: np.ndarray | None = None  # stable integer id per series (for encodings)
    seed: int = 0


@dataclass
class Forecast:
    point: np.ndarray  # series × horizon
    quantiles: dict[float, np.ndarray] | None = None  # level -> series × horizon
    notes: list[str] = field(default_factory=list)  # e.g. fallbacks taken


class Model:
    """Base class; ``complexity`` orders models for tie-breaks (lower = simpler)."""

    name = "model"
    complexity = 0

    def fit(self, y: np.ndarray, context: Context | None = None) -> Model:
        self.y_ = np.atleast_2d(np.asarray(y, dtype=float))
        self.context_ = context or Context()
        return self

    def forecast(self, horizon: int) -> Forecast:  # pragma: no cover - interface
        raise NotImplementedError


def last_valid(y: np.ndarray) -> np.ndarray:
    """Last non-NaN value per row (0 when a row has none)."""
    ok = ~np.isnan(y)
    idx = np.where(ok.any(axis=1), y.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1), -1)
    out = np.where(idx >= 0, y[np.arange(len(y)), np.maximum(idx, 0)], 0.0)
    return np.nan_to_num(out)


def nan_tail_mean(y: np.ndarray, window: int) -> np.ndarray:
    """Mean of the last ``window`` days ignoring NaN (0 when all missing)."""
    tail = y[:, -window:]
    ok = ~np.isnan(tail)
    return np.where(ok, tail, 0.0).sum(axis=1) / np.maximum(ok.sum(axis=1), 1)
