"""One XGBoost model for all series of a tenant (a "global" model), forecasting recursively.

Each training row is (series, day): demand of earlier days (lags 1, 7, 14, 28; rolling mean
and standard deviation over 7, 28, 91 and 182 days; the mean of the same weekday over the
last 4, 12, 26 and 52 weeks; with 15 months of history last year's demand around the same
day and its ratio to last year's month before), the calendar of the target day (weekday,
day of month, month, holiday today/tomorrow), price relative to the series' usual price and
promotion when given, and series encodings (log level, share of zero days, demand class).
Demand is divided by each series' recent level so one model fits slow and fast movers;
the Tweedie (or Poisson) objective suits non-negative counts with many zeros. Features for
day t use only days before t, so the same code builds training rows and, step by step, the
forecast (each predicted day becomes the lag of the next).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ml.classify import CLASSES
from ml.models.base import Forecast, Model

LAGS = (1, 7, 14, 28)
# Long windows matter: daily retail demand is so noisy that a level or weekday profile read
# from a month is mostly noise (on the benchmark, adding 91/182 days and 26/52 weeks cut the
# XGBoost holdout RMSSE by ~1%).
WINDOWS = (7, 28, 91, 182)
WEEKDAY_WEEKS = (4, 12, 26, 52)  # mean of the same weekday over the last 4 ... 52 weeks
YEAR = 364  # 52 weeks: last year's same weekday
YEAR_HALF_WINDOW = 7  # last year's demand is smoothed over +-7 days around the same day
HISTORY_NEEDED = max(max(LAGS), max(WINDOWS), 7 * max(WEEKDAY_WEEKS))
YEARLY_NEEDED = YEAR + 28 + 1


def _cumsums(ys: np.ndarray) -> tuple[np.ndarray, ...]:
    """Running sums (value, square, count) over days, and over days 7 apart (same weekday):
    ``s[:, j]`` covers days before j; ``w[:, j]`` covers days j, j-7, j-14, ..."""
    ok = ~np.isnan(ys)
    v = np.where(ok, ys, 0.0)
    pad = np.zeros((len(ys), 1))
    wsum, wcnt = v.copy(), ok.astype(float)
    for j in range(7, ys.shape[1]):
        wsum[:, j] += wsum[:, j - 7]
        wcnt[:, j] += wcnt[:, j - 7]
    return (
        np.concatenate([pad, np.cumsum(v, axis=1)], axis=1),
        np.concatenate([pad, np.cumsum(v * v, axis=1)], axis=1),
        np.concatenate([pad, np.cumsum(ok, axis=1, dtype=float)], axis=1),
        wsum,
        wcnt,
    )


def _window_mean(s1, cnt, rows, lo, hi):
    """Mean of days [lo, hi) per row from running sums (NaN when none is known)."""
    lo, hi = np.maximum(lo, 0), np.maximum(hi, 0)
    n = cnt[rows, hi] - cnt[rows, lo]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, (s1[rows, hi] - s1[rows, lo]) / n, np.nan)


class GlobalXGB(Model):
    name = "xgboost"
    complexity = 4

    def __init__(
        self,
        objective: str = "tweedie",
        rounds: int = 100,
        train_days: int = 365,
        max_rows: int = 300_000,
        learning_rate: float = 0.1,
        max_depth: int = 6,
        threads: int | None = None,
        yearly: bool | None = None,
    ):
        if objective not in {"tweedie", "poisson"}:
            raise ValueError("objective must be 'tweedie' or 'poisson'")
        self.objective, self.rounds = objective, rounds
        self.train_days, self.max_rows = train_days, max_rows
        self.learning_rate, self.max_depth = learning_rate, max_depth
        self.threads = threads or os.cpu_count() or 1
        # yearly adds last year's demand (lag 364, same weekday) and the day of the year;
        # None = only when there are at least 15 months of history.
        self.yearly = yearly

    # -- features ---------------------------------------------------------------------------

    def _calendar(self, total: int) -> dict[str, np.ndarray]:
        ctx = self.context_
        if ctx.dates is not None and len(ctx.dates):
            dates = pd.date_range(ctx.dates[0], periods=total, freq="D")
        else:
            dates = pd.date_range("2001-01-01", periods=total, freq="D")
        holiday = np.zeros(total + 1)
        if ctx.holidays is not None:
            known = np.asarray(ctx.holidays, dtype=float)[: total + 1]
            holiday[: len(known)] = known
        return {
            "dow": dates.day_of_week.to_numpy(float),
            "dom": dates.day.to_numpy(float),
            "month": dates.month.to_numpy(float),
            "doy": dates.day_of_year.to_numpy(float),
            "holiday": holiday[:total],
            "holiday_next": holiday[1 : total + 1],
        }

    def _covariate(self, values: np.ndarray | None, total: int, fill: np.ndarray):
        """Extend a covariate to ``total`` days; days not given (no plan known) take
        ``fill`` per series: no promotion, the regular price. Repeating the last day would
        carry a promotion running on the last day across the whole horizon."""
        if values is None:
            return None
        values = np.asarray(values, dtype=float)
        if values.shape[1] >= total:
            return values[:, :total]
        pad = np.repeat(fill[:, None], total - values.shape[1], axis=1)
        return np.concatenate([values, pad], axis=1)

    def _features(self, ys, sums, rows, local, absolute) -> np.ndarray:
        """Feature matrix for (rows[i], day local[i]) of ``ys``; ``absolute`` indexes calendar."""
        s1, s2, cnt, wsum, wcnt = sums
        cols = []
        for lag in self.lags:
            j = local - lag
            cols.append(np.where(j >= 0, ys[rows, np.maximum(j, 0)], np.nan))
        # Same weekday over the last weeks: a far less noisy weekly profile than single lags.
        for weeks in WEEKDAY_WEEKS:
            j, back = local - 7, np.maximum(local - 7 * (weeks + 1), -1)
            total = wsum[rows, np.maximum(j, 0)] - np.where(back >= 0, wsum[rows, back], 0.0)
            n = wcnt[rows, np.maximum(j, 0)] - np.where(back >= 0, wcnt[rows, back], 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                cols.append(np.where((j >= 0) & (n > 0), total / n, np.nan))
        if self.yearly_:
            # Last year around the same day against last year's month before it: the
            # seasonal change to expect from now (demand is already scaled by the level).
            around = _window_mean(
                s1, cnt, rows, local - YEAR - YEAR_HALF_WINDOW, local - YEAR + YEAR_HALF_WINDOW + 1
            )
            before = _window_mean(s1, cnt, rows, local - YEAR - 28, local - YEAR)
            with np.errstate(divide="ignore", invalid="ignore"):
                cols += [around, np.where(before > 0, around / before, np.nan)]
        for w in WINDOWS:
            lo = np.maximum(local - w, 0)
            n = cnt[rows, local] - cnt[rows, lo]
            total = s1[rows, local] - s1[rows, lo]
            sq = s2[rows, local] - s2[rows, lo]
            with np.errstate(divide="ignore", invalid="ignore"):
                mean = np.where(n > 0, total / n, np.nan)
                var = np.where(n > 1, (sq - n * mean * mean) / (n - 1), np.nan)
            cols += [mean, np.sqrt(np.maximum(var, 0.0))]
        for key in ("dow", "dom", "month", "holiday", "holiday_next", *self.extra_calendar):
            cols.append(self.calendar_[key][absolute])
        cols += [self.log_level_[rows], self.zero_share_[rows], self.class_code_[rows]]
        if self.price_ is not None:
            cols.append(self.price_[rows, absolute] / self.price_ref_[rows])
        if self.promo_ is not None:
            cols.append(self.promo_[rows, absolute])
        return np.column_stack(cols).astype(np.float32)

    # -- fit / forecast ---------------------------------------------------------------------

    def fit(self, y, context=None):
        import xgboost as xgb

        super().fit(y, context)
        y = self.y_
        n, t = y.shape
        ctx = self.context_
        yearly = self.yearly if self.yearly is not None else t >= 364 + 91
        self.yearly_ = yearly
        self.lags = (*LAGS, 364) if yearly else LAGS
        self.extra_calendar = ("doy",) if yearly else ()
        tail = y[:, -91:]
        ok = ~np.isnan(tail)
        level = np.where(ok, tail, 0).sum(axis=1) / np.maximum(ok.sum(axis=1), 1)
        allok = ~np.isnan(y)
        overall = np.where(allok, y, 0).sum(axis=1) / np.maximum(allok.sum(axis=1), 1)
        scale = np.where(level > 0, level, np.where(overall > 0, overall, 1.0))
        self.scale_ = scale
        self.log_level_ = np.log1p(scale)
        self.zero_share_ = np.where(allok, y == 0, False).sum(axis=1) / np.maximum(
            allok.sum(axis=1), 1
        )
        codes = {c: i for i, c in enumerate(CLASSES)}
        self.class_code_ = (
            np.array([codes.get(c, -1) for c in ctx.classes], dtype=float)
            if ctx.classes is not None
            else np.full(n, -1.0)
        )
        self.t_ = t
        self.ys_ = y / scale[:, None]
        self.calendar_ = self._calendar(t + 400)
        self.price_ = None
        if ctx.price is not None:
            known = np.asarray(ctx.price, dtype=float)
            regular = np.nanmedian(known[:, max(0, min(t, known.shape[1]) - 91) : t], axis=1)
            regular = np.where(np.isfinite(regular) & (regular > 0), regular, 1.0)
            self.price_ = self._covariate(known, t + 400, regular)
            self.price_ref_ = regular
        self.promo_ = None
        if ctx.promo is not None:
            self.promo_ = self._covariate(ctx.promo, t + 400, np.zeros(n))

        first_day = max(1, t - self.train_days)
        days = np.arange(first_day, t)
        rows = np.repeat(np.arange(n), len(days))
        local = np.tile(days, n)
        target = self.ys_[rows, local]
        keep = ~np.isnan(target)
        rng = np.random.default_rng(ctx.seed)
        if keep.sum() > self.max_rows:
            idx = np.flatnonzero(keep)
            keep = np.zeros_like(keep)
            keep[rng.choice(idx, self.max_rows, replace=False)] = True
        rows, local, target = rows[keep], local[keep], target[keep]
        self.booster_ = None
        if len(target) == 0:
            return self
        features = self._features(self.ys_, _cumsums(self.ys_), rows, local, local)
        params = {
            "objective": "reg:tweedie" if self.objective == "tweedie" else "count:poisson",
            "eta": self.learning_rate,
            "max_depth": self.max_depth,
            "min_child_weight": 5,
            "subsample": 0.8,
            "colsample_bytree": 0.8,
            "tree_method": "hist",
            "max_bin": 64,
            "nthread": self.threads,
            "seed": ctx.seed,
            "verbosity": 0,
        }
        if self.objective == "tweedie":
            params["tweedie_variance_power"] = 1.2
        dtrain = xgb.QuantileDMatrix(features, label=target, max_bin=64)
        self.booster_ = xgb.train(params, dtrain, num_boost_round=self.rounds)
        return self

    def forecast(self, horizon: int) -> Forecast:
        import xgboost as xgb

        n, t = self.y_.shape
        if self.booster_ is None:
            return Forecast(np.zeros((n, horizon)))
        width = max(HISTORY_NEEDED, *self.lags, YEARLY_NEEDED if self.yearly_ else 0)
        window = np.full((n, width + horizon), np.nan)
        take = min(width, t)
        window[:, width - take : width] = self.ys_[:, t - take :]
        rows = np.arange(n)
        # Cumulative sums are built once; each predicted day extends them by one column
        # (features for day d read sums up to d only, so later columns are never stale).
        s1, s2, cnt, wsum, wcnt = _cumsums(window)
        for k in range(horizon):
            local = width + k
            feats = self._features(
                window, (s1, s2, cnt, wsum, wcnt), rows, np.full(n, local), np.full(n, t + k)
            )
            pred = self.booster_.predict(xgb.DMatrix(feats, nthread=self.threads))
            window[:, local] = pred
            s1[:, local + 1] = s1[:, local] + pred
            s2[:, local + 1] = s2[:, local] + pred * pred
            cnt[:, local + 1] = cnt[:, local] + 1
            wsum[:, local] = wsum[:, local - 7] + pred
            wcnt[:, local] = wcnt[:, local - 7] + 1
        point = window[:, width:] * self.scale_[:, None]
        started = ~np.isnan(self.y_).all(axis=1)
        return Forecast(np.where(started[:, None], np.maximum(point, 0.0), 0.0))
