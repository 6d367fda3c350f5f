"""Replenishment policies from forecasts: safety stock, reorder point, EOQ, order-up-to,
ABC/XYZ classes and stock-out prediction.

Formulas (the tests check them against worked examples):
- safety stock = z(service level) × sqrt(L·σd² + d²·σL²), with σd the daily demand forecast
  error, d the daily demand, L the lead time and σL its standard deviation (days); or, from a
  forecast distribution, the lead-time demand quantile at the service level minus its mean;
- reorder point = expected lead-time demand + safety stock;
- EOQ = sqrt(2·D·S / (h·c)) with D annual demand, S cost per order, c unit cost, h the
  yearly holding cost rate; order quantity = max(EOQ, MOQ) rounded up to the pack size;
- order-up-to level = demand over (lead time + review period) + safety stock.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

DEFAULT_SERVICE_LEVELS = {"A": 0.98, "B": 0.95, "C": 0.90}
_NORMAL = NormalDist()


class PolicyError(ValueError):
    """Inputs a policy cannot be computed from; the message says which."""


def z_value(service_level: float) -> float:
    if not 0.5 <= service_level < 1:
        raise PolicyError(f"Service level must be at least 0.5 and below 1, got {service_level}.")
    return _NORMAL.inv_cdf(service_level)


def safety_stock(
    sigma_daily, lead_time_days, service_level: float, demand_daily=0.0, lead_time_sd=0.0
):
    """z × sqrt(L σd² + d² σL²) (element-wise on arrays)."""
    sigma = np.asarray(sigma_daily, dtype=float)
    lt = np.asarray(lead_time_days, dtype=float)
    if np.any(lt < 0) or np.any(sigma < 0):
        raise PolicyError("Lead time and demand deviation cannot be negative.")
    d = np.asarray(demand_daily, dtype=float)
    var = lt * sigma**2 + d**2 * np.asarray(lead_time_sd, dtype=float) ** 2
    return z_value(service_level) * np.sqrt(var)


def safety_stock_from_quantile(lead_time_quantile, lead_time_mean):
    """Safety stock as the service-level quantile of lead-time demand above its mean."""
    return np.maximum(np.asarray(lead_time_quantile, float) - np.asarray(lead_time_mean, float), 0)


def reorder_point(lead_time_demand, safety):
    return np.asarray(lead_time_demand, dtype=float) + np.asarray(safety, dtype=float)


def eoq(annual_demand, order_cost, unit_cost, holding_rate):
    """Economic order quantity sqrt(2DS / (h c)); zero demand → 0."""
    d = np.asarray(annual_demand, dtype=float)
    holding = np.asarray(unit_cost, dtype=float) * np.asarray(holding_rate, dtype=float)
    if np.any(d < 0) or np.any(np.asarray(order_cost, dtype=float) < 0):
        raise PolicyError("Annual demand and ordering cost cannot be negative.")
    if np.any(holding <= 0):
        raise PolicyError("Holding cost (unit cost × holding rate) must be positive for EOQ.")
    return np.sqrt(2 * d * np.asarray(order_cost, dtype=float) / holding)


def order_quantity(eoq_value, moq=0, pack_size=1):
    """max(EOQ, MOQ) rounded up to a whole number of packs."""
    pack = np.asarray(pack_size, dtype=float)
    if np.any(pack <= 0):
        raise PolicyError("Pack size must be positive.")
    q = np.maximum(np.asarray(eoq_value, dtype=float), np.asarray(moq, dtype=float))
    return np.ceil(np.round(q / pack, 9)) * pack


def order_up_to(demand_daily, lead_time_days, review_days, safety):
    return np.asarray(demand_daily, float) * (
        np.asarray(lead_time_days, float) + np.asarray(review_days, float)
    ) + np.asarray(safety, float)


def abc(values, a: float = 0.80, b: float = 0.15) -> np.ndarray:
    """ABC by value share: items are ranked by value; an item is A while the share of the
    items ranked above it is below ``a``, B while below ``a + b``, else C. Zero value → C."""
    v = np.asarray(values, dtype=float)
    if not (0 < a < 1 and 0 <= b < 1 - a + 1e-12):
        raise PolicyError("ABC shares must satisfy 0 < A < 1 and A + B <= 1.")
    out = np.full(len(v), "C", dtype=object)
    total = v[v > 0].sum()
    if total <= 0:
        return out
    order = np.argsort(-v, kind="stable")
    before = np.concatenate([[0.0], np.cumsum(v[order])[:-1]]) / total
    ranked = np.where(before < a - 1e-12, "A", np.where(before < a + b - 1e-12, "B", "C"))
    ranked = np.where(v[order] > 0, ranked, "C")
    out[order] = ranked
    return out


def demand_cv(y: np.ndarray, bucket: int = 7) -> np.ndarray:
    """Coefficient of variation of demand per ``bucket`` days (weekly by default)."""
    y = np.atleast_2d(np.asarray(y, dtype=float))
    t = (y.shape[1] // bucket) * bucket
    if t == 0:
        return np.full(len(y), np.nan)
    sums = np.nan_to_num(y[:, y.shape[1] - t :]).reshape(len(y), -1, bucket).sum(axis=2)
    mean = sums.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mean > 0, sums.std(axis=1) / mean, np.inf)


def xyz(cv, x: float = 0.5, y: float = 1.0) -> np.ndarray:
    """X: steady (CV <= x), Y: variable (<= y), Z: erratic or no demand."""
    cv = np.asarray(cv, dtype=float)
    return np.where(cv <= x, "X", np.where(cv <= y, "Y", "Z")).astype(object)


def daily_sigma(quantiles: dict[float, np.ndarray]) -> np.ndarray:
    """Per-day standard deviation implied by the widest symmetric interval."""
    lo, hi = min(quantiles), max(quantiles)
    z = _NORMAL.inv_cdf(hi) - _NORMAL.inv_cdf(lo)
    return np.maximum(quantiles[hi] - quantiles[lo], 0) / z


def stockout_forecast(point: np.ndarray, sigma: np.ndarray, stock) -> dict[str, np.ndarray]:
    """When stock (available + on order) runs out, from the forecast distribution.

    Cumulative demand to day k is taken as normal with mean Σ point and variance Σ σ²
    (days independent; intermittent errors are closer to that than to fully correlated).
    Returns per series: ``probability_by_day`` (series × horizon), ``probability`` of a
    stock-out within the horizon, ``day`` (1-based first day with probability ≥ 50%, or
    NaN) and ``projected`` stock per day (stock − expected cumulative demand).
    """
    point = np.atleast_2d(point)
    mean = np.cumsum(point, axis=1)
    sd = np.sqrt(np.cumsum(np.atleast_2d(sigma) ** 2, axis=1))
    stock = np.asarray(stock, dtype=float).reshape(-1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        zscore = (stock - mean) / sd
    cdf = np.vectorize(_NORMAL.cdf, otypes=[float])
    prob = np.where(sd > 0, 1 - cdf(np.where(np.isfinite(zscore), zscore, 0)), (mean > stock) * 1.0)
    prob = np.where(stock <= 0, 1.0, prob)
    prob = np.maximum.accumulate(prob, axis=1)
    likely = prob >= 0.5
    day = np.where(likely.any(axis=1), np.argmax(likely, axis=1) + 1.0, np.nan)
    return {
        "probability_by_day": prob,
        "probability": prob[:, -1],
        "day": day,
        "projected": stock - mean,
    }


def plan(
    point: np.ndarray,
    quantiles: dict[float, np.ndarray],
    history: np.ndarray,
    *,
    unit_cost,
    stock,
    lead_time_days,
    review_days=7,
    lead_time_sd=0.0,
    order_cost: float = 50.0,
    holding_rate: float = 0.25,
    moq=0,
    pack_size=1,
    service_levels: dict[str, float] | None = None,
    abc_shares: tuple[float, float] = (0.80, 0.15),
) -> pd.DataFrame:
    """Everything per series in one table (inputs are arrays aligned with the series)."""
    levels = service_levels or DEFAULT_SERVICE_LEVELS
    n, h = point.shape
    lt = np.broadcast_to(np.asarray(lead_time_days, dtype=float), (n,))
    if np.any(lt > h):
        raise PolicyError(f"Lead time longer than the {h}-day forecast horizon.")
    cost = np.broadcast_to(np.asarray(unit_cost, dtype=float), (n,))
    sigma = daily_sigma(quantiles)
    daily = point.mean(axis=1)
    annual = daily * 365
    klass = abc(annual * cost, *abc_shares)
    variability = xyz(demand_cv(history))
    service = np.array([levels[k] for k in klass])
    days = np.arange(h)[None, :]
    in_lt = days < lt[:, None]
    lt_demand = np.where(in_lt, point, 0).sum(axis=1)
    lt_sigma = np.sqrt(np.where(in_lt, sigma**2, 0).sum(axis=1))
    z = np.array([z_value(s) for s in service])
    ss = z * np.sqrt(lt_sigma**2 + daily**2 * np.asarray(lead_time_sd, float) ** 2)
    rop = reorder_point(lt_demand, ss)
    q = order_quantity(
        eoq(annual, order_cost, np.maximum(cost, 1e-9), holding_rate), moq, pack_size
    )
    out = stockout_forecast(point, sigma, stock)
    return pd.DataFrame(
        {
            "abc": klass,
            "xyz": variability,
            "service_level": service,
            "lead_time_demand": lt_demand,
            "safety_stock": ss,
            "reorder_point": rop,
            "order_quantity": q,
            "order_up_to": order_up_to(daily, lt, review_days, ss),
            "stockout_day": out["day"],
            "stockout_probability": out["probability"],
        }
    )
