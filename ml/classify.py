"""Demand classes (Syntetos–Boylan ADI/CV²) and plain-words seasonality/trend labels.

ADI is the average number of days between non-zero demands; CV² the squared coefficient of
variation of the non-zero demand sizes. The cut-offs 1.32 and 0.49 are Syntetos, Boylan and
Croston (2005); a value exactly on a boundary falls in the more irregular class.
"""

from __future__ import annotations

import numpy as np

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49

SMOOTH, ERRATIC, INTERMITTENT, LUMPY, NO_DEMAND = (
    "smooth",
    "erratic",
    "intermittent",
    "lumpy",
    "no_demand",
)
CLASSES = (SMOOTH, ERRATIC, INTERMITTENT, LUMPY, NO_DEMAND)


def adi_cv2(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ADI and CV² per row of a (series × days) matrix; NaN days are ignored."""
    y = np.atleast_2d(np.asarray(y, dtype=float))
    observed = ~np.isnan(y)
    positive = observed & (y > 0)
    n_obs = observed.sum(axis=1)
    n_pos = positive.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        adi = np.where(n_pos > 0, n_obs / np.maximum(n_pos, 1), np.inf)
        sizes = np.where(positive, y, 0.0)
        mean = sizes.sum(axis=1) / np.maximum(n_pos, 1)
        var = np.where(positive, (y - mean[:, None]) ** 2, 0.0).sum(axis=1) / np.maximum(n_pos, 1)
        cv2 = np.where(n_pos > 0, var / np.maximum(mean, 1e-12) ** 2, 0.0)
    return adi, cv2


def classify_values(adi: np.ndarray, cv2: np.ndarray) -> np.ndarray:
    adi, cv2 = np.asarray(adi, dtype=float), np.asarray(cv2, dtype=float)
    regular = adi < ADI_CUTOFF
    stable = cv2 < CV2_CUTOFF
    out = np.where(
        regular, np.where(stable, SMOOTH, ERRATIC), np.where(stable, INTERMITTENT, LUMPY)
    ).astype(object)
    out[~np.isfinite(adi)] = NO_DEMAND
    return out


def classify(y: np.ndarray) -> np.ndarray:
    """Demand class per series (object array of class names)."""
    return classify_values(*adi_cv2(y))


def is_intermittent(classes: np.ndarray) -> np.ndarray:
    return np.isin(np.asarray(classes, dtype=object), [INTERMITTENT, LUMPY, NO_DEMAND])


def weekly_seasonality(y: np.ndarray, window: int = 364) -> np.ndarray:
    """Share of variance explained by the day of week over the last ``window`` days (0..1)."""
    y = np.atleast_2d(np.asarray(y, dtype=float))[:, -window:]
    t = y.shape[1]
    dow = (np.arange(t) - t) % 7  # aligned so the last day has a fixed position
    grand = _nanmean(y)
    total = _nanmean((y - grand[:, None]) ** 2)
    means = np.stack([_nanmean(y[:, dow == d]) for d in range(7)], axis=1)
    between = ((means - grand[:, None]) ** 2).mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        strength = np.where(total > 1e-12, between / total, 0.0)
    return np.clip(np.nan_to_num(strength), 0.0, 1.0)


def trend_per_month(y: np.ndarray, window: int = 91) -> np.ndarray:
    """Least-squares slope over the last ``window`` days as a share of the level per 30 days."""
    y = np.atleast_2d(np.asarray(y, dtype=float))[:, -window:]
    t = np.arange(y.shape[1], dtype=float)
    ok = ~np.isnan(y)
    n = ok.sum(axis=1)
    tm = np.where(ok, t, 0).sum(axis=1) / np.maximum(n, 1)
    ym = np.where(ok, y, 0).sum(axis=1) / np.maximum(n, 1)
    dt_ = np.where(ok, t - tm[:, None], 0.0)
    slope = (dt_ * np.where(ok, y - ym[:, None], 0.0)).sum(axis=1) / np.maximum(
        (dt_**2).sum(axis=1), 1e-12
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(ym > 1e-9, slope * 30.0 / ym, 0.0)
    return np.where(n >= 14, rel, 0.0)


def describe(seasonality: float, trend: float) -> str:
    """A plain-words label for one series, e.g. 'strong weekly pattern; trending up 12%/month'."""
    parts = []
    if seasonality >= 0.4:
        parts.append("strong weekly pattern")
    elif seasonality >= 0.15:
        parts.append("mild weekly pattern")
    else:
        parts.append("no weekly pattern")
    if trend >= 0.05:
        parts.append(f"trending up about {trend * 100:.0f}% a month")
    elif trend <= -0.05:
        parts.append(f"trending down about {-trend * 100:.0f}% a month")
    else:
        parts.append("flat")
    return "; ".join(parts)


def _nanmean(a: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(a)
    return np.where(ok, a, 0.0).sum(axis=1) / np.maximum(ok.sum(axis=1), 1)
