"""The whole forecasting run: tidy history in; forecasts, intervals, chosen model and
backtest metrics per series out.

1. Pivot to a panel; stock-out days become unknown demand (imputed for fitting, ignored
   when scoring).
2. Classify each series (ADI/CV²) and pick its candidates: smooth/erratic series try
   seasonal naive, moving average, ETS, XGBoost and an ensemble of them; intermittent/
   lumpy series try moving average, Croston, SBA, TSB, XGBoost and an ensemble; series with
   no demand get zero. The ensemble is stacked by default: per demand class, weights fitted
   on the pooled backtest forecasts.
3. Backtest every candidate at rolling origins; choose per series the best by RMSSE,
   shrunk toward the class favourite (ties within 1% -> the simpler model).
4. Refit only what was chosen (and the ensemble members with weight) on the full history
   (XGBoost is one global fit; statsmodels ETS only for series that use it), attach intervals (ETS: its own; others: conformal
   from the backtest errors per demand class and horizon), clip at 0, sort quantiles.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ml import classify as cls
from ml.backtest import (
    _subset_context,
    class_prior,
    cross_conformal,
    interval_metrics,
    origins,
    point_metrics,
    run_backtest,
    select,
)
from ml.data import Calendar, DataError, impute_lost_sales, planned_covariates, to_panel
from ml.intervals import bounds_for, calibrate, conformal, fix, naive_scale, quantile_levels
from ml.models import (
    ETS,
    SBA,
    TSB,
    Context,
    Croston,
    GlobalXGB,
    HoltWinters,
    MovingAverage,
    Naive,
    SeasonalNaive,
    combine,
    skill_weights,
    stack_weights,
)

SMOOTH_CANDIDATES = ("seasonal_naive", "moving_average", "ets", "xgboost", "ensemble")
INTERMITTENT_CANDIDATES = ("moving_average", "croston", "sba", "tsb", "xgboost", "ensemble")
SMOOTH_MEMBERS = ("seasonal_naive", "ets", "xgboost")
INTERMITTENT_MEMBERS = ("sba", "tsb", "xgboost")
# Members per ensemble kind (smooth, intermittent): "stacked" offers every candidate and
# lets the backtest give useless ones weight 0.
ENSEMBLE_MEMBERS = {
    "stacked": (
        ("seasonal_naive", "moving_average", "ets", "xgboost"),
        ("moving_average", "croston", "sba", "tsb", "xgboost"),
    ),
    "median": (SMOOTH_MEMBERS, INTERMITTENT_MEMBERS),
    "skill": (SMOOTH_MEMBERS, INTERMITTENT_MEMBERS),
}
COMPLEXITY = {
    "naive": 0,
    "seasonal_naive": 1,
    "moving_average": 1,
    "croston": 2,
    "sba": 2,
    "tsb": 2,
    "ets": 3,
    "xgboost": 4,
    "ensemble": 5,
}


@dataclass
class Config:
    horizon: int = 28
    coverages: tuple[float, ...] = (0.8, 0.95)
    n_origins: int = 4
    step: int | None = None  # days between origins; default = horizon
    select_metric: str = "rmsse"
    tie_tolerance: float = 0.01
    # Four origins of noisy demand make per-series scores noisy: each series' score is
    # multiplied by (the model's mean score in the demand class / the class's best mean)
    # ** selection_prior, so a model must beat the class favourite clearly to be chosen.
    # An exact fit (score 0) still wins. 0 = per-series scores only.
    selection_prior: float = 4.0
    # "stacked": per demand class, the non-negative weights (sum 1) whose mean of the members'
    # backtest forecasts has the least pooled squared error; "median"; "skill" (1 / score).
    ensemble: str = "stacked"
    use_xgboost: bool = True
    xgb_objective: str = "tweedie"
    xgb_rounds: int = 100
    xgb_max_rows: int = 300_000
    ets_engine: str = "auto"  # "statsmodels", "vectorised" or "auto"
    statsmodels_max_series: int = 60  # "auto" uses statsmodels ETS up to this many series
    seed: int = 0

    def validate(self) -> None:
        if self.horizon < 1 or self.horizon > 366:
            raise DataError("Horizon must be between 1 and 366 days.")
        if self.n_origins < 1:
            raise DataError("At least one backtest origin is needed.")
        if self.select_metric not in {"rmsse", "mase", "wape", "pinball"}:
            raise DataError("select_metric must be rmsse, mase, wape or pinball.")
        if self.selection_prior < 0:
            raise DataError("selection_prior cannot be negative.")
        if self.ensemble not in ENSEMBLE_MEMBERS:
            raise DataError("ensemble must be 'stacked', 'median' or 'skill'.")
        if self.ets_engine not in {"statsmodels", "vectorised", "auto"}:
            raise DataError("ets_engine must be statsmodels, vectorised or auto.")
        quantile_levels(self.coverages)


@dataclass
class Result:
    series_ids: np.ndarray
    dates: pd.DatetimeIndex  # forecast days
    point: np.ndarray  # series × horizon
    quantiles: dict[float, np.ndarray]  # level -> series × horizon
    series: pd.DataFrame  # one row per series: class, chosen model, its metrics, labels
    metrics: pd.DataFrame  # one row per series × candidate model
    summary: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # actual - forecast of each series' chosen model at every backtest origin
    # (series × origins × horizon), kept so aggregates (revenue) get honest intervals.
    backtest_errors: np.ndarray | None = None

    def forecasts(self) -> pd.DataFrame:
        """Tidy frame: series_id, date, forecast, lower_80, upper_80, lower_95, upper_95 ..."""
        n, h = self.point.shape
        out = {
            "series_id": np.repeat(self.series_ids, h),
            "date": np.tile(self.dates.to_numpy(), n),
            "forecast": self.point.ravel(),
        }
        for c in self.summary.get("coverages", ()):
            lo, hi = bounds_for(c)
            out[f"lower_{round(c * 100)}"] = self.quantiles[lo].ravel()
            out[f"upper_{round(c * 100)}"] = self.quantiles[hi].ravel()
        return pd.DataFrame(out)


def _factories(config: Config, n_smooth: int) -> dict:
    engine = config.ets_engine
    if engine == "auto":
        engine = "statsmodels" if n_smooth <= config.statsmodels_max_series else "vectorised"
    ets = (lambda: ETS(coverages=config.coverages)) if engine == "statsmodels" else HoltWinters
    out = {
        "naive": Naive,
        "seasonal_naive": SeasonalNaive,
        "moving_average": MovingAverage,
        "croston": Croston,
        "sba": SBA,
        "tsb": TSB,
        "ets": ets,
    }
    if config.use_xgboost:
        out["xgboost"] = lambda: GlobalXGB(
            objective=config.xgb_objective,
            rounds=config.xgb_rounds,
            max_rows=config.xgb_max_rows,
        )
    return out, engine


def _ensemble_weights(config, bt, mask, names, classes, summary) -> np.ndarray:
    """Members' weights for the series in ``mask`` (rows × members)."""
    if config.ensemble == "skill":
        scores = np.stack(
            [point_metrics(bt, bt.forecasts[m])[config.select_metric][mask] for m in names], 1
        )
        weights = skill_weights(scores)
        return weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)
    labels = np.asarray(classes, dtype=object)[mask]
    out = np.zeros((mask.sum(), len(names)))
    for label in np.unique(labels):
        rows = np.flatnonzero(mask)[labels == label]
        w = stack_weights(
            [bt.forecasts[m][rows] for m in names], bt.actual[rows], bt.scale_mse[rows]
        )
        out[labels == label] = w
        summary[str(label)] = {m: round(float(v), 3) for m, v in zip(names, w, strict=True)}
    return out


def _extend(history: np.ndarray | None, planned: np.ndarray | None) -> np.ndarray | None:
    if history is None or planned is None:
        return history
    return np.concatenate([history, planned], axis=1)


def run(
    frame: pd.DataFrame,
    calendar: Calendar | None = None,
    horizon: int | None = None,
    config: Config | None = None,
    planned: pd.DataFrame | None = None,
) -> Result:
    """``planned``: planned prices/promotions for the forecast days (``series_id``, ``date``,
    ``price`` and/or ``promo``). Without it the forecast assumes no promotion and the
    regular price, and the backtest is scored the same way (no peek at later promotions)."""
    config = config or Config()
    if horizon is not None:
        config = Config(**{**config.__dict__, "horizon": horizon})
    config.validate()
    h = config.horizon
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    panel = to_panel(frame)
    y_eval = panel.y
    y_fit = impute_lost_sales(y_eval)
    n, t = y_fit.shape
    future = pd.date_range(panel.dates[-1] + pd.Timedelta(days=1), periods=h, freq="D")
    all_dates = panel.dates.append(future)
    holidays = (calendar or Calendar()).flags(all_dates)
    adi, cv2 = cls.adi_cv2(y_fit)
    classes = cls.classify_values(adi, cv2)
    intermittent = cls.is_intermittent(classes)
    no_demand = classes == cls.NO_DEMAND
    smooth_rows = np.flatnonzero(~intermittent)
    inter_rows = np.flatnonzero(intermittent & ~no_demand)
    factories, engine = _factories(config, len(smooth_rows))
    planned_price = planned_promo = None
    if planned is not None:
        planned_price, planned_promo = planned_covariates(planned, panel, future)
    # With plans, each backtest origin knows the promotions/prices of its next h days (the
    # history's own, standing in for the plans made then); without, it knows none, as the
    # final forecast will not.
    ahead = {"price": (planned_price is not None) * h, "promo": (planned_promo is not None) * h}
    price_all = _extend(panel.price, planned_price)
    promo_all = _extend(panel.promo, planned_promo)
    timings["prepare"] = time.perf_counter() - clock

    def context_at(origin: int) -> Context:
        return Context(
            dates=panel.dates,
            holidays=holidays,
            price=None if price_all is None else price_all[:, : origin + ahead["price"]],
            promo=None if promo_all is None else promo_all[:, : origin + ahead["promo"]],
            classes=cls.classify(y_fit[:, :origin]),
            seed=config.seed,
        )

    # 1. backtest ------------------------------------------------------------------------
    clock = time.perf_counter()
    origin_list = origins(t, h, config.n_origins, config.step)
    candidates = {m: np.zeros(n, dtype=bool) for m in (*COMPLEXITY, *factories) if m in COMPLEXITY}
    for m in SMOOTH_CANDIDATES:
        if m in candidates:
            candidates[m][smooth_rows] = True
    for m in INTERMITTENT_CANDIDATES:
        if m in candidates:
            candidates[m][inter_rows] = True
    candidates["naive"][no_demand] = True
    if not config.use_xgboost:
        candidates.pop("xgboost", None)
    rows = {"ets": smooth_rows} if engine == "statsmodels" else {}
    notes: list[str] = []
    metric_rows = []
    chosen = np.full(n, "naive", dtype=object)
    per_model: dict[str, dict[str, np.ndarray]] = {}
    # (series mask, member names, series × members weights or None for the median)
    group_members: list[tuple[np.ndarray, list[str], np.ndarray | None]] = []
    ens_summary: dict[str, dict[str, float]] = {}
    inter_mask = intermittent & ~no_demand
    smooth_members, inter_members = ENSEMBLE_MEMBERS[config.ensemble]
    if origin_list:
        bt = run_backtest(y_fit, y_eval, factories, h, origin_list, context_at, rows)
        for name, model_notes in bt.notes.items():
            notes += [f"backtest {name}: {note}" for note in model_notes]
        ens = np.full_like(bt.actual, np.nan)
        for mask, names in (
            (~intermittent & ~no_demand, smooth_members),
            (inter_mask, inter_members),
        ):
            names = [m for m in names if m in bt.forecasts]
            if not mask.any() or len(names) < 2:
                continue
            pts = np.stack([np.nan_to_num(bt.forecasts[m][mask]) for m in names], -1)
            weights = None
            if config.ensemble == "median":
                ens[mask] = np.median(pts, axis=-1)
            else:
                weights = np.zeros((n, len(names)))
                weights[mask] = _ensemble_weights(config, bt, mask, names, classes, ens_summary)
                ens[mask] = np.einsum("gohm,gm->goh", pts, weights[mask])
            group_members.append((mask, names, weights))
        bt.forecasts["ensemble"] = ens
        for name in candidates:
            if name not in bt.forecasts:
                continue
            mask = candidates[name]
            pm = point_metrics(bt, bt.forecasts[name])
            if name in bt.quantiles:
                qs = {lvl: q for lvl, q in bt.quantiles[name].items()}
                qs = {lvl: np.where(np.isnan(q), 0, q) for lvl, q in qs.items()}
            else:
                qs = cross_conformal(bt, bt.forecasts[name], classes, config.coverages)
            im = interval_metrics(bt, qs, config.coverages)
            merged = {**pm, **im}
            merged = {k: np.where(mask, v, np.nan) for k, v in merged.items()}
            per_model[name] = merged
        scores = class_prior(
            {m: per_model[m][config.select_metric] for m in per_model},
            classes,
            config.selection_prior,
        )
        chosen = select(scores, COMPLEXITY, config.tie_tolerance)
        chosen = np.where(no_demand, "naive", chosen)
    else:
        bt = None
        notes.append("history too short for a backtest: seasonal naive / SBA used unscored")
        chosen = np.where(intermittent, "sba", "seasonal_naive")
        chosen = np.where(no_demand, "naive", chosen).astype(object)
    timings["backtest"] = time.perf_counter() - clock

    # 2. final fit of what was chosen ----------------------------------------------------
    clock = time.perf_counter()
    needed = set(chosen)
    for mask, names, weights in group_members:  # only members the ensemble gives weight
        rows = mask & (chosen == "ensemble")
        if rows.any():
            needed |= {m for k, m in enumerate(names) if weights is None or weights[rows, k].any()}
    needed &= set(factories)
    full_ctx = Context(
        dates=panel.dates,
        holidays=holidays,
        price=price_all,
        promo=promo_all,
        classes=classes,
        seed=config.seed,
    )
    finals = {}
    for name in sorted(needed):
        which = np.arange(n)
        if name == "ets" and engine == "statsmodels":
            ets_rows = chosen == "ets"
            if "ensemble" in set(chosen):
                ets_rows |= (chosen == "ensemble") & ~intermittent
            which = np.flatnonzero(ets_rows)
        if len(which) == 0:
            continue
        fc = factories[name]().fit(y_fit[which], _subset_context(full_ctx, which)).forecast(h)
        point = np.full((n, h), np.nan)
        point[which] = fc.point
        qs = None
        if fc.quantiles:
            qs = {}
            for lvl, q in fc.quantiles.items():
                qs[lvl] = np.full((n, h), np.nan)
                qs[lvl][which] = q
        finals[name] = (point, qs)
        notes += [f"final {name}: {note}" for note in fc.notes]
    timings["fit"] = time.perf_counter() - clock

    # 3. assemble point + intervals ------------------------------------------------------
    clock = time.perf_counter()
    levels = quantile_levels(config.coverages)
    point = np.zeros((n, h))
    quant = {lvl: np.zeros((n, h)) for lvl in levels}
    scale = naive_scale(y_fit)
    for name in np.unique(chosen):
        sel = chosen == name
        if name == "ensemble":
            for mask, names, weights in group_members:
                part = sel & mask
                if part.any():
                    pts = [np.nan_to_num(finals[m][0][part]) if m in finals else 0 for m in names]
                    pts = [np.broadcast_to(p, (part.sum(), h)) for p in pts]
                    point[part] = combine(pts, None if weights is None else weights[part])
        elif name in finals:
            point[sel] = finals[name][0][sel]
        own = finals.get(name, (None, None))[1]
        if own is not None:
            for lvl in levels:
                quant[lvl][sel] = own[lvl][sel]
        elif bt is not None:
            eligible = candidates.get(name, sel)
            errors = bt.actual[eligible] - bt.forecasts[name][eligible]
            table = calibrate(errors, bt.scale_mae[eligible], classes[eligible], levels)
            qs = conformal(point[sel], scale[sel], classes[sel], table, levels)
            for lvl in levels:
                quant[lvl][sel] = qs[lvl]
        else:
            for lvl in levels:
                quant[lvl][sel] = point[sel]
    point = np.maximum(np.nan_to_num(point), 0.0)
    quant = fix(quant)
    timings["intervals"] = time.perf_counter() - clock

    # 4. tables ----------------------------------------------------------------------------
    seasonality = cls.weekly_seasonality(y_fit)
    trend = cls.trend_per_month(y_fit)
    series = pd.DataFrame(
        {
            "series_id": panel.series_ids,
            "demand_class": classes,
            "adi": adi,
            "cv2": cv2,
            "model": chosen,
            "seasonality": seasonality,
            "trend_per_month": trend,
            "pattern": [cls.describe(s, tr) for s, tr in zip(seasonality, trend, strict=True)],
        }
    )
    metric_names = ("mase", "rmsse", "wape", "bias", "pinball") + tuple(
        f"coverage_{round(c * 100)}" for c in config.coverages
    )
    for m in metric_names:
        series[m] = np.nan
    for name, values in per_model.items():
        sel = chosen == name
        for m in metric_names:
            series.loc[sel, m] = values[m][sel]
        for i in np.flatnonzero(candidates[name]):
            metric_rows.append((panel.series_ids[i], name, *(values[m][i] for m in metric_names)))
    metrics = pd.DataFrame(metric_rows, columns=["series_id", "model", *metric_names])
    summary = {
        "series": n,
        "days": t,
        "horizon": h,
        "coverages": config.coverages,
        "origins": [str(panel.dates[o].date()) for o in origin_list],
        "ets_engine": engine,
        "model_mix": series["model"].value_counts().to_dict(),
        "ensemble_weights": ens_summary,
        "class_mix": series["demand_class"].value_counts().to_dict(),
        "timings": timings,
    }
    if per_model:
        total_abs = total_actual = 0.0
        for name in per_model:
            sel = chosen == name
            if sel.any():
                err = bt.forecasts[name][sel] - bt.actual[sel]
                total_abs += np.nansum(np.abs(err))
                total_actual += np.nansum(np.where(np.isnan(err), np.nan, bt.actual[sel]))
        summary["wape"] = total_abs / total_actual if total_actual else None
        for m in metric_names:
            summary[f"mean_{m}"] = float(np.nanmean(series[m])) if series[m].notna().any() else None
    errors = None
    if bt is not None:
        errors = np.full_like(bt.actual, np.nan)
        for name in np.unique(chosen):
            if name in bt.forecasts:
                sel = chosen == name
                errors[sel] = bt.actual[sel] - bt.forecasts[name][sel]
    return Result(panel.series_ids, future, point, quant, series, metrics, summary, notes, errors)
