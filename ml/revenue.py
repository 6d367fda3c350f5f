"""Revenue forecast for a whole catalogue with intervals done honestly.

Summing item intervals as if items were independent makes the band far too narrow (demand
moves together: weather, paydays, a slow month); adding them up as if fully correlated makes
it too wide. Instead the backtest errors of every item's chosen model are priced and summed
*per origin and day*, which keeps whatever correlation the items really had, and the
quantiles of those catalogue-level errors (relative to the forecast revenue of the same
origin's horizon, pooled over days) give the band.
"""

from __future__ import annotations

import numpy as np

from ml.intervals import bounds_for


def revenue_forecast(
    point: np.ndarray,
    price: np.ndarray,
    backtest_errors: np.ndarray | None,
    coverages: tuple[float, ...] = (0.8, 0.95),
) -> dict[str, np.ndarray]:
    """Daily revenue (``price`` per series) with lower/upper bands per coverage.

    ``backtest_errors``: series × origins × horizon (actual − forecast, NaN = unknown)."""
    price = np.nan_to_num(np.asarray(price, dtype=float))
    revenue = price @ np.maximum(point, 0)
    out = {"revenue": revenue}
    if backtest_errors is None or np.isnan(backtest_errors).all():
        for c in coverages:
            out[f"lower_{round(c * 100)}"] = revenue.copy()
            out[f"upper_{round(c * 100)}"] = revenue.copy()
        return out
    priced = np.einsum("s,soh->oh", price, np.nan_to_num(backtest_errors))
    level = max(float(revenue.mean()), 1e-9)
    relative = (priced / level).ravel()  # error as a share of a day's revenue
    for c in coverages:
        lo, hi = bounds_for(c)
        q_lo, q_hi = np.quantile(relative, [lo, hi])
        out[f"lower_{round(c * 100)}"] = np.maximum(revenue + q_lo * level, 0)
        out[f"upper_{round(c * 100)}"] = revenue + q_hi * level
    return out
