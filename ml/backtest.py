"""Rolling-origin backtest (expanding window), metrics and per-series model selection.

At every origin each model is fitted on the history *before* the origin only (the slice
``y[:, :origin]``, and a context built from it) and forecasts the next ``horizon`` days;
``tests/ml/test_backtest.py`` checks that changing the data after an origin cannot change
that origin's forecasts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ml.intervals import bounds_for, calibrate, conformal, naive_scale, pinball, quantile_levels
from ml.models.base import Context, Model


def origins(
    n_days: int, horizon: int, n_origins: int = 4, step: int | None = None, min_train: int = 56
) -> list[int]:
    """Origins (index of the first forecast day), oldest first; fewer if history is short."""
    step = step or horizon
    out = [n_days - horizon - step * k for k in range(n_origins)]
    return sorted(o for o in out if o >= min_train)


@dataclass
class Backtest:
    origins: list[int]
    horizon: int
    actual: np.ndarray  # series × origins × horizon (NaN = unknown, e.g. stock-out)
    scale_mae: np.ndarray  # series × origins
    scale_mse: np.ndarray  # series × origins
    forecasts: dict[str, np.ndarray] = field(default_factory=dict)  # name -> s × o × h
    quantiles: dict[str, dict[float, np.ndarray]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)


def run_backtest(
    y_fit: np.ndarray,
    y_eval: np.ndarray,
    models: dict[str, Callable[[], Model]],
    horizon: int,
    origin_list: list[int],
    context_at: Callable[[int], Context] | None = None,
    rows: dict[str, np.ndarray] | None = None,
) -> Backtest:
    """Fit every model at every origin. ``rows[name]`` limits a model to some series."""
    n = len(y_fit)
    o = len(origin_list)
    actual = np.full((n, o, horizon), np.nan)
    scale_mae = np.ones((n, o))
    scale_mse = np.ones((n, o))
    for k, origin in enumerate(origin_list):
        actual[:, k, :] = y_eval[:, origin : origin + horizon]
        history = y_fit[:, :origin]
        scale_mae[:, k] = naive_scale(history)
        d = np.diff(history, axis=1) ** 2
        ok = ~np.isnan(d)
        mse = np.where(ok, d, 0).sum(axis=1) / np.maximum(ok.sum(axis=1), 1)
        scale_mse[:, k] = np.maximum(mse, scale_mae[:, k] ** 2 * 0.01)
    bt = Backtest(list(origin_list), horizon, actual, scale_mae, scale_mse)
    for name, factory in models.items():
        which = np.arange(n) if rows is None or name not in rows else rows[name]
        out = np.full((n, o, horizon), np.nan)
        qs: dict[float, np.ndarray] = {}
        notes: list[str] = []
        for k, origin in enumerate(origin_list):
            if len(which) == 0:
                continue
            ctx = context_at(origin) if context_at else Context()
            ctx = _subset_context(ctx, which)
            fc = factory().fit(y_fit[which, :origin], ctx).forecast(horizon)
            out[which, k, :] = fc.point
            notes += fc.notes
            if fc.quantiles:
                for lvl, q in fc.quantiles.items():
                    qs.setdefault(lvl, np.full((n, o, horizon), np.nan))[which, k, :] = q
        bt.forecasts[name] = out
        if qs:
            bt.quantiles[name] = qs
        bt.notes[name] = notes
    return bt


def _subset_context(ctx: Context, rows: np.ndarray) -> Context:
    def pick(a):
        return None if a is None else np.asarray(a)[rows]

    return Context(
        dates=ctx.dates,
        holidays=ctx.holidays,
        price=pick(ctx.price),
        promo=pick(ctx.promo),
        classes=pick(ctx.classes),
        series_codes=pick(ctx.series_codes),
        seed=ctx.seed,
    )


def point_metrics(bt: Backtest, forecast: np.ndarray) -> dict[str, np.ndarray]:
    """Per-series MASE, RMSSE, WAPE and bias of one model's backtest forecasts."""
    err = forecast - bt.actual
    ok = ~np.isnan(err)
    absolute = np.where(ok, np.abs(err), 0.0)
    squared = np.where(ok, err * err, 0.0)
    count = np.maximum(ok.sum(axis=2), 1)
    mase_o = absolute.sum(axis=2) / count / bt.scale_mae
    rmsse_o = np.sqrt(squared.sum(axis=2) / count / bt.scale_mse)
    valid_o = ok.any(axis=2)
    n_valid = np.maximum(valid_o.sum(axis=1), 1)
    actual_sum = np.where(ok, bt.actual, 0).sum(axis=(1, 2))
    signed = np.where(ok, err, 0).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        wape = np.where(actual_sum > 0, absolute.sum(axis=(1, 2)) / actual_sum, np.nan)
        bias = np.where(actual_sum > 0, signed / actual_sum, np.nan)
    return {
        "mase": np.where(valid_o, mase_o, 0).sum(axis=1) / n_valid,
        "rmsse": np.where(valid_o, rmsse_o, 0).sum(axis=1) / n_valid,
        "wape": wape,
        "bias": bias,
    }


def cross_conformal(
    bt: Backtest, forecast: np.ndarray, classes: np.ndarray, coverages: tuple[float, ...]
) -> dict[float, np.ndarray]:
    """Backtest quantiles for each origin calibrated on the *other* origins' errors, so
    coverage is measured out of sample."""
    levels = quantile_levels(coverages)
    errors = bt.actual - forecast
    n, o, h = forecast.shape
    out = {lvl: np.full((n, o, h), np.nan) for lvl in levels}
    for k in range(o):
        others = [j for j in range(o) if j != k] or [k]
        table = calibrate(errors[:, others, :], bt.scale_mae[:, others], classes, levels)
        q = conformal(forecast[:, k, :], bt.scale_mae[:, k], classes, table, levels)
        for lvl in levels:
            out[lvl][:, k, :] = q[lvl]
    return out


def interval_metrics(
    bt: Backtest, quantiles: dict[float, np.ndarray], coverages: tuple[float, ...]
) -> dict[str, np.ndarray]:
    """Per-series coverage of each interval and scaled pinball loss."""
    out = {}
    ok = ~np.isnan(bt.actual)
    count = np.maximum(ok.sum(axis=(1, 2)), 1)
    for c in coverages:
        lo, hi = bounds_for(c)
        inside = (bt.actual >= quantiles[lo] - 1e-9) & (bt.actual <= quantiles[hi] + 1e-9)
        out[f"coverage_{round(c * 100)}"] = np.where(ok, inside, False).sum(axis=(1, 2)) / count
    loss = pinball(bt.actual, quantiles) / bt.scale_mae[:, :, None]
    out["pinball"] = np.where(ok, loss, 0).sum(axis=(1, 2)) / count
    return out


def class_prior(
    scores: dict[str, np.ndarray], classes: np.ndarray, power: float = 1.0
) -> dict[str, np.ndarray]:
    """Multiply each series' score by (the model's mean score over the series' demand class /
    the best model's mean there) ** power: a model must clearly beat the class favourite to
    be picked on four noisy origins; an exact fit (0) still wins."""
    out = {m: np.array(v, dtype=float) for m, v in scores.items()}
    classes = np.asarray(classes, dtype=object)
    for label in np.unique(classes):
        rows = classes == label
        means = {
            m: float(np.nanmean(v[rows])) for m, v in out.items() if np.isfinite(v[rows]).any()
        }
        best = min((v for v in means.values() if v > 0), default=None)
        if best is None:
            continue
        for m, mean in means.items():
            out[m][rows] *= (mean / best) ** power
    return out


def select(
    scores: dict[str, np.ndarray], complexity: dict[str, int], tolerance: float = 0.01
) -> np.ndarray:
    """Per series the best-scoring model; a simpler model within ``tolerance`` (relative)
    of the best wins the tie. NaN scores (model not run for a series) never win."""
    names = sorted(scores, key=lambda m: (complexity.get(m, 99), m))
    matrix = np.stack([np.where(np.isfinite(scores[m]), scores[m], np.inf) for m in names], 1)
    best = matrix.min(axis=1, keepdims=True)
    good = matrix <= best * (1 + tolerance) + 1e-12
    choice = np.argmax(good, axis=1)  # first (simplest) model that is good enough
    return np.array(names, dtype=object)[choice]
