"""Forecast accuracy as actuals arrive: each run's stored forecasts (a snapshot of what was
forecast at the time) against the demand the ledger shows since. Three queries per call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from apps.forecasting import demand
from apps.forecasting.models import Forecast, ForecastRun, PolicyResult

DEGRADED_FACTOR = 1.5  # realised error this much worse than the backtest promised


@dataclass
class RunAccuracy:
    run: ForecastRun
    days: int  # forecast days that are now in the past
    wape: float | None
    bias: float | None
    degraded: list[int]  # variant ids whose realised error is well above their backtest


def accuracy_by_run(*, runs: int = 8, today: date | None = None) -> list[RunAccuracy]:
    today = today or demand._today()
    recent = list(
        ForecastRun.objects.filter(status=ForecastRun.Status.DONE, series__gt=0).order_by(
            "-finished_at", "-id"
        )[:runs]
    )
    if not recent:
        return []
    rows = pd.DataFrame.from_records(
        Forecast.objects.filter(run__in=recent, date__lt=today).values_list(
            "run_id", "variant_id", "date", "quantity"
        ),
        columns=["run_id", "variant_id", "date", "forecast"],
    )
    out = []
    if rows.empty:
        return [RunAccuracy(r, 0, None, None, []) for r in recent]
    first = rows["date"].min()
    actual = demand.demand_history(days=(today - first).days, end=today - pd.Timedelta(days=1))
    actual = actual.rename(columns={"series_id": "variant_id", "quantity": "actual"})
    actual["date"] = actual["date"].dt.date
    rows["forecast"] = rows["forecast"].astype(float)
    merged = rows.merge(actual[["variant_id", "date", "actual", "stockout"]], how="left")
    merged["actual"] = merged["actual"].fillna(0.0)
    merged = merged[~merged["stockout"].fillna(False).astype(bool)]  # lost sales: unknown
    promised = {
        (p.run_id, p.variant_id): (p.metrics or {}).get("wape")
        for p in PolicyResult.objects.filter(run__in=recent).only("run_id", "variant_id", "metrics")
    }
    for run in recent:
        part = merged[merged["run_id"] == run.pk]
        total = part["actual"].sum()
        if part.empty or total <= 0:
            out.append(RunAccuracy(run, part["date"].nunique(), None, None, []))
            continue
        err = part["forecast"] - part["actual"]
        per = part.assign(abs_err=err.abs()).groupby("variant_id")[["abs_err", "actual"]].sum()
        degraded = []
        for variant_id, row in per.iterrows():
            backtest = promised.get((run.pk, variant_id))
            if (
                backtest
                and row["actual"] > 0
                and row["abs_err"] / row["actual"] > DEGRADED_FACTOR * backtest
            ):
                degraded.append(int(variant_id))
        out.append(
            RunAccuracy(
                run,
                part["date"].nunique(),
                float(err.abs().sum() / total),
                float(err.sum() / total),
                degraded,
            )
        )
    return out


@dataclass
class VariantAccuracy:
    run: ForecastRun
    days: int  # forecast days now in the past (stock-out days left out)
    forecast: float
    actual: float
    wape: float | None
    bias: float | None
    promised: float | None  # the backtest WAPE the run expected


def variant_accuracy(variant_id: int, *, runs: int = 12, today: date | None = None):
    """One variant's realised accuracy per recent run that forecast it, newest first: what
    was forecast then against what shipped since. Four queries."""
    today = today or demand._today()
    policies = list(
        PolicyResult.objects.filter(variant_id=variant_id, run__status=ForecastRun.Status.DONE)
        .select_related("run")
        .order_by("-run__finished_at", "-run_id")[:runs]
    )
    if not policies:
        return []
    rows = pd.DataFrame.from_records(
        Forecast.objects.filter(
            run__in=[p.run_id for p in policies], variant_id=variant_id, date__lt=today
        ).values_list("run_id", "date", "quantity"),
        columns=["run_id", "date", "forecast"],
    )
    merged = rows
    if not rows.empty:
        first = rows["date"].min()
        actual = demand.demand_history(
            variant_ids=[variant_id],
            days=(today - first).days,
            end=today - pd.Timedelta(days=1),
        )
        actual = actual.rename(columns={"quantity": "actual"})
        actual["date"] = actual["date"].dt.date
        rows["forecast"] = rows["forecast"].astype(float)
        merged = rows.merge(actual[["date", "actual", "stockout"]], how="left", on="date")
        merged["actual"] = merged["actual"].fillna(0.0)
        merged = merged[~merged["stockout"].fillna(False).astype(bool)]
    out = []
    for p in policies:
        part = merged[merged["run_id"] == p.run_id] if not merged.empty else merged
        fc = float(part["forecast"].sum()) if not part.empty else 0.0
        act = float(part["actual"].sum()) if not part.empty else 0.0
        err = (part["forecast"] - part["actual"]) if not part.empty else None
        ok = err is not None and act > 0
        out.append(
            VariantAccuracy(
                run=p.run,
                days=int(part["date"].nunique()) if not part.empty else 0,
                forecast=round(fc, 3),
                actual=round(act, 3),
                wape=float(err.abs().sum() / act) if ok else None,
                bias=float(err.sum() / act) if ok else None,
                promised=(p.metrics or {}).get("wape"),
            )
        )
    return out


def realised_by_variant(date_from: date, date_to: date, *, today: date | None = None):
    """Forecast at the time against actual per variant over past days in the period: each
    day is judged by the latest finished run whose forecast covered it and that finished
    before that day began (its snapshot). Stock-out days are left out. Columns variant_id,
    days, forecast, actual, abs_err. Three queries."""
    today = today or demand._today()
    date_to = min(date_to, today - pd.Timedelta(days=1))
    empty = pd.DataFrame(columns=["variant_id", "days", "forecast", "actual", "abs_err"])
    if date_from > date_to:
        return empty
    rows = pd.DataFrame.from_records(
        Forecast.objects.filter(
            run__status=ForecastRun.Status.DONE, date__gte=date_from, date__lte=date_to
        ).values_list("run__finished_at", "run_id", "variant_id", "date", "quantity"),
        columns=["finished_at", "run_id", "variant_id", "date", "forecast"],
    )
    if rows.empty:
        return empty
    made = pd.to_datetime(rows["finished_at"], utc=True).dt.date
    rows = rows[made < rows["date"]]
    if rows.empty:
        return empty
    rows = rows.sort_values(["finished_at", "run_id"]).drop_duplicates(
        ["variant_id", "date"], keep="last"
    )
    actual = demand.demand_history(
        variant_ids=rows["variant_id"].unique().tolist(),
        days=(date_to - date_from).days + 1,
        end=date_to,
    ).rename(columns={"series_id": "variant_id", "quantity": "actual"})
    actual["date"] = actual["date"].dt.date
    merged = rows.merge(actual[["variant_id", "date", "actual", "stockout"]], how="left")
    merged["actual"] = merged["actual"].fillna(0.0)
    merged = merged[~merged["stockout"].fillna(False).astype(bool)]
    merged["forecast"] = merged["forecast"].astype(float)
    merged["abs_err"] = (merged["forecast"] - merged["actual"]).abs()
    out = merged.groupby("variant_id").agg(
        days=("date", "nunique"),
        forecast=("forecast", "sum"),
        actual=("actual", "sum"),
        abs_err=("abs_err", "sum"),
    )
    return out.reset_index()
