"""Prediction intervals.

ETS brings its own (statsmodels: analytic for additive models, simulated for multiplicative).
Every other model gets **conformal** intervals: backtest errors (actual - forecast) divided by
the series' scale (mean absolute one-day change before the origin) are pooled per demand
class and horizon day (with neighbouring days, ±``pool`` days, so the quantiles are stable),
and their empirical quantiles, times the series' scale, are added to the point forecast.
Lower bounds are clipped at 0 and quantiles are sorted so they never cross.
"""

from __future__ import annotations

import numpy as np

MIN_RESIDUALS = 40
MAX_POOLED = 20_000


def quantile_levels(coverages: tuple[float, ...]) -> list[float]:
    out = set()
    for c in coverages:
        if not 0 < c < 1:
            raise ValueError(f"Interval coverage must be between 0 and 1, got {c}.")
        out.update({round((1 - c) / 2, 6), round(1 - (1 - c) / 2, 6)})
    return sorted(out)


def bounds_for(coverage: float) -> tuple[float, float]:
    return round((1 - coverage) / 2, 6), round(1 - (1 - coverage) / 2, 6)


def naive_scale(y: np.ndarray) -> np.ndarray:
    """Mean absolute one-day change per series (the MASE denominator); >= a small floor."""
    d = np.abs(np.diff(y, axis=1))
    ok = ~np.isnan(d)
    scale = np.where(ok, d, 0).sum(axis=1) / np.maximum(ok.sum(axis=1), 1)
    mean = np.where(~np.isnan(y), y, 0).sum(axis=1) / np.maximum((~np.isnan(y)).sum(axis=1), 1)
    return np.maximum(scale, np.maximum(0.1 * mean, 1e-3))


def calibrate(
    errors: np.ndarray,
    scales: np.ndarray,
    classes: np.ndarray,
    levels: list[float],
    pool: int = 3,
) -> dict[str, np.ndarray]:
    """Quantiles of scaled errors per class: {class: levels × horizon}; key "*" = all series.

    ``errors``: series × origins × horizon (NaN where unknown); ``scales``: series × origins.
    """
    scaled = errors / scales[:, :, None]
    horizon = errors.shape[2]
    table = {}
    groups = {"*": np.ones(len(errors), dtype=bool)}
    for c in np.unique(np.asarray(classes, dtype=object)):
        groups[str(c)] = np.asarray(classes, dtype=object) == c
    for key, rows in groups.items():
        block = scaled[rows]
        q = np.full((len(levels), horizon), np.nan)
        for h in range(horizon):
            lo, hi = max(0, h - pool), min(horizon, h + pool + 1)
            values = block[:, :, lo:hi].ravel()
            values = values[~np.isnan(values)]
            if len(values) > MAX_POOLED:  # plenty for a quantile; keeps 10k series fast
                values = values[:: len(values) // MAX_POOLED + 1]
            if len(values) >= MIN_RESIDUALS or (key == "*" and len(values)):
                q[:, h] = np.quantile(values, levels)
        if not np.isnan(q).all():
            table[key] = q
    return table


def conformal(
    point: np.ndarray,
    scale: np.ndarray,
    classes: np.ndarray,
    table: dict[str, np.ndarray],
    levels: list[float],
) -> dict[float, np.ndarray]:
    """Quantile forecasts (level -> series × horizon) from a calibration table."""
    n, horizon = point.shape
    keys = ["*", *sorted(k for k in table if k != "*")]
    stack = np.zeros((len(keys), len(levels), horizon))
    usable = np.zeros(len(keys), dtype=bool)
    for k, key in enumerate(keys):
        q = table.get(key)
        if q is not None and not np.isnan(q[:, :horizon]).any():
            stack[k], usable[k] = q[:, :horizon], True
    index = {key: k for k, key in enumerate(keys) if usable[k]}
    labels = np.asarray(classes, dtype=object).astype(str)
    which = np.zeros(n, dtype=int)  # 0 = the all-series fallback
    for key, k in index.items():
        which[labels == key] = k
    offsets = stack[which]
    quantiles = point[:, None, :] + scale[:, None, None] * offsets
    return fix({lvl: quantiles[:, k, :] for k, lvl in enumerate(levels)})


def fix(quantiles: dict[float, np.ndarray]) -> dict[float, np.ndarray]:
    """Clip at 0 and sort across levels so no quantile crosses another."""
    levels = sorted(quantiles)
    stack = np.stack([np.maximum(np.nan_to_num(quantiles[lvl]), 0.0) for lvl in levels], axis=0)
    stack = np.sort(stack, axis=0)
    return {lvl: stack[k] for k, lvl in enumerate(levels)}


def pinball(actual: np.ndarray, quantiles: dict[float, np.ndarray]) -> np.ndarray:
    """Mean pinball loss per element over the given levels (NaN where actual is NaN)."""
    losses = []
    for lvl, q in quantiles.items():
        diff = actual - q
        losses.append(np.maximum(lvl * diff, (lvl - 1) * diff))
    return np.mean(losses, axis=0)
