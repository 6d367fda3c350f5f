"""Intermittent-demand methods: Croston, SBA (Syntetos–Boylan approximation) and TSB.

Conventions (the tests work these by hand):
- Croston/SBA start at the first non-zero demand: size z = that demand, interval p = its
  1-based position in the observed history. After it, each day adds 1 to the days-since-
  demand counter q; on a demand day z += a(y - z), p += a(q - p), q = 0.
  Forecast per day = z / p (Croston) or (1 - a/2) z / p (SBA).
- TSB starts at the same point with z = first demand and probability d = 1 / p. After it,
  every day d += b(1{y>0} - d); on demand days z += a(y - z). Forecast = d * z.
NaN days (before the series starts) are skipped; a series with no demand forecasts 0.
"""

from __future__ import annotations

import numpy as np

from ml.models.base import Forecast, Model


def _first_demand(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index of the first positive day, its size and 1-based position among observed days."""
    pos = np.nan_to_num(y) > 0
    has = pos.any(axis=1)
    first = np.where(has, np.argmax(pos, axis=1), y.shape[1])
    observed_before = np.cumsum(~np.isnan(y), axis=1)
    rows = np.arange(len(y))
    size = np.where(has, y[rows, np.minimum(first, y.shape[1] - 1)], 0.0)
    position = np.where(has, observed_before[rows, np.minimum(first, y.shape[1] - 1)], 1)
    return first, np.nan_to_num(size), position.astype(float)


def croston_states(y: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    y = np.atleast_2d(np.asarray(y, dtype=float))
    first, z, p = _first_demand(y)
    q = np.zeros(len(y))
    for t in range(y.shape[1]):
        active = first < t
        col = y[:, t]
        seen = active & ~np.isnan(col)
        q = np.where(seen, q + 1, q)
        hit = seen & (col > 0)
        z = np.where(hit, z + alpha * (col - z), z)
        p = np.where(hit, p + alpha * (q - p), p)
        q = np.where(hit, 0.0, q)
    return z, p


class Croston(Model):
    name = "croston"
    complexity = 2

    def __init__(self, alpha: float = 0.1):
        self.alpha = alpha

    def _level(self) -> np.ndarray:
        z, p = croston_states(self.y_, self.alpha)
        return z / np.maximum(p, 1e-12)

    def forecast(self, horizon: int) -> Forecast:
        return Forecast(np.repeat(self._level()[:, None], horizon, axis=1))


class SBA(Croston):
    name = "sba"
    complexity = 2

    def _level(self) -> np.ndarray:
        return (1 - self.alpha / 2) * super()._level()


def tsb_states(y: np.ndarray, alpha: float, beta: float) -> tuple[np.ndarray, np.ndarray]:
    y = np.atleast_2d(np.asarray(y, dtype=float))
    first, z, p = _first_demand(y)
    d = 1.0 / p
    for t in range(y.shape[1]):
        col = y[:, t]
        seen = (first < t) & ~np.isnan(col)
        hit = seen & (col > 0)
        d = np.where(seen, d + beta * (hit - d), d)
        z = np.where(hit, z + alpha * (col - z), z)
    d = np.where(first >= y.shape[1], 0.0, d)
    return z, d


class TSB(Model):
    name = "tsb"
    complexity = 2

    def __init__(self, alpha: float = 0.1, beta: float = 0.1):
        self.alpha, self.beta = alpha, beta

    def forecast(self, horizon: int) -> Forecast:
        z, d = tsb_states(self.y_, self.alpha, self.beta)
        return Forecast(np.repeat((z * d)[:, None], horizon, axis=1))
