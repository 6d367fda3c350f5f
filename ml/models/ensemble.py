"""Combine members' forecasts: a stacked mean (weights fitted on the backtest), the median,
or a mean weighted by backtest skill."""

from __future__ import annotations

import numpy as np


def combine(points: list[np.ndarray], weights: np.ndarray | None = None) -> np.ndarray:
    """``points``: member forecasts (series × horizon each). ``weights``: series × members
    (e.g. 1 / backtest RMSSE) for a weighted mean; None takes the median."""
    stack = np.stack(points, axis=-1)  # series × horizon × members
    if weights is None:
        return np.median(stack, axis=-1)
    w = np.asarray(weights, dtype=float)
    w = np.where(np.isfinite(w) & (w > 0), w, 0.0)
    total = w.sum(axis=1, keepdims=True)
    w = np.where(total > 0, w / np.where(total > 0, total, 1), 1.0 / stack.shape[-1])
    return np.einsum("shm,sm->sh", stack, w)


def skill_weights(scores: np.ndarray) -> np.ndarray:
    """Inverse-score weights (series × members) from backtest scores (lower is better)."""
    scores = np.asarray(scores, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(np.isfinite(scores), 1.0 / np.maximum(scores, 1e-6), 0.0)


def stack_weights(
    forecasts: list[np.ndarray],
    actual: np.ndarray,
    scale: np.ndarray,
    max_points: int = 200_000,
) -> np.ndarray:
    """Non-negative weights summing to 1 whose weighted mean of the members' backtest
    forecasts has the least squared error, pooled over many series (one weight per member
    for the whole pool, so four noisy origins per series cannot overfit them).

    ``forecasts``: members' backtest forecasts (series × origins × horizon each);
    ``actual``: the same shape (NaN = unknown); ``scale``: series × origins, the RMSSE
    denominator, so errors are compared in each series' own units. A member that adds
    nothing gets weight 0."""
    from scipy.optimize import nnls

    m = len(forecasts)
    root = np.sqrt(np.maximum(scale, 1e-12))[:, :, None]
    target = (actual / root).ravel()
    design = np.stack([(f / root).ravel() for f in forecasts], axis=1)
    ok = np.isfinite(target) & np.isfinite(design).all(axis=1)
    target, design = target[ok], design[ok]
    if len(target) == 0:
        return np.full(m, 1.0 / m)
    if len(target) > max_points:  # evenly spaced rows: deterministic and plenty for m weights
        pick = np.linspace(0, len(target) - 1, max_points).astype(int)
        target, design = target[pick], design[pick]
    # The sum-to-one constraint as one heavily weighted extra equation.
    penalty = 10.0 * np.sqrt(len(target)) * max(float(np.abs(design).mean()), 1e-6)
    weights, _ = nnls(
        np.vstack([design, np.full(m, penalty)]), np.append(target, penalty), maxiter=50 * m
    )
    total = weights.sum()
    return weights / total if total > 0 else np.full(m, 1.0 / m)


class Ensemble:
    """Model-interface ensemble of fitted members (used standalone; the pipeline combines
    backtest forecasts directly so members are not refitted)."""

    name = "ensemble"
    complexity = 5

    def __init__(self, members, weights: np.ndarray | None = None):
        self.members, self.weights = members, weights

    def fit(self, y, context=None):
        for m in self.members:
            m.fit(y, context)
        return self

    def forecast(self, horizon: int):
        from ml.models.base import Forecast

        points = [m.forecast(horizon).point for m in self.members]
        return Forecast(combine(points, self.weights))
