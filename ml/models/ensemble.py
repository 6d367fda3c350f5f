"""Combine members' forecasts: the median, or a mean weighted by backtest skill."""

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
