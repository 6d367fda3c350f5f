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
