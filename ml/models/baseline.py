"""Baselines: naive, seasonal naive (weekly) and moving average."""

from __future__ import annotations

import numpy as np

from ml.models.base import Forecast, Model, last_valid, nan_tail_mean


class Naive(Model):
    name = "naive"
    complexity = 0

    def forecast(self, horizon: int) -> Forecast:
        return Forecast(np.repeat(last_valid(self.y_)[:, None], horizon, axis=1))


class SeasonalNaive(Model):
    """Repeat the last full season; days of a too-short history fall back to naive."""

    name = "seasonal_naive"
    complexity = 1

    def __init__(self, period: int = 7):
        self.period = period

    def forecast(self, horizon: int) -> Forecast:
        y, p = self.y_, self.period
        season = np.full((len(y), p), np.nan)
        take = min(p, y.shape[1])
        season[:, p - take :] = y[:, y.shape[1] - take :]
        season = np.where(np.isnan(season), last_valid(y)[:, None], season)
        reps = -(-horizon // p)
        return Forecast(np.tile(season, reps)[:, :horizon])


class MovingAverage(Model):
    name = "moving_average"
    complexity = 1

    def __init__(self, window: int = 28):
        self.window = window

    def forecast(self, horizon: int) -> Forecast:
        level = nan_tail_mean(self.y_, self.window)
        return Forecast(np.repeat(level[:, None], horizon, axis=1))
