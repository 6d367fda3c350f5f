"""Forecast accuracy as actuals arrive: each run's stored forecasts (a snapshot of what was
forecast at the time) against the demand the ledger shows since. Three queries per call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

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


SCALE_DAYS = 182  # history before the period that sets each item's MASE scale


def _snapshots(date_from: date, date_to: date, variant_ids=None) -> pd.DataFrame:
    """Per (variant, day) in the period the forecast of the latest finished run that
    finished before that day began. Columns variant_id, date, forecast. One query."""
    rows = Forecast.objects.filter(
        run__status=ForecastRun.Status.DONE, date__gte=date_from, date__lte=date_to
    )
    if variant_ids is not None:
        rows = rows.filter(variant_id__in=list(variant_ids))
    frame = pd.DataFrame.from_records(
        rows.values_list("run__finished_at", "run_id", "variant_id", "date", "quantity"),
        columns=["finished_at", "run_id", "variant_id", "date", "forecast"],
    )
    if frame.empty:
        return frame
    made = pd.to_datetime(frame["finished_at"], utc=True).dt.date
    frame = frame[made < frame["date"]]
    frame = frame.sort_values(["finished_at", "run_id"]).drop_duplicates(
        ["variant_id", "date"], keep="last"
    )
    frame["forecast"] = frame["forecast"].astype(float)
    return frame[["variant_id", "date", "forecast"]]


def accuracy_by_week(
    *, weeks: int = 12, variant_id: int | None = None, today: date | None = None
) -> list[dict]:
    """Realised accuracy per week (Monday to Sunday) over the last ``weeks`` weeks, overall
    or for one variant: every past day judged by the forecast made before it (the
    snapshot), stock-out days left out. WAPE = total miss / total actual; MASE = mean
    daily miss / the item's mean day-to-day change over the half year before its first
    scored day (below 1: better than "same as yesterday"), averaged over items. Weeks with nothing
    to score are kept with None, so the chart shows gaps honestly. Four queries."""
    today = today or demand._today()
    last = today - timedelta(days=1)
    first = last - timedelta(days=last.weekday()) - timedelta(weeks=weeks - 1)
    week_starts = [first + timedelta(weeks=i) for i in range(weeks)]
    empty = [
        {"week": w, "days": 0, "forecast": 0.0, "actual": 0.0, "wape": None, "mase": None}
        for w in week_starts
    ]
    ids = None if variant_id is None else [variant_id]
    snaps = _snapshots(first, last, ids)
    if snaps.empty:
        return empty
    actual = demand.demand_history(
        variant_ids=snaps["variant_id"].unique().tolist(),
        days=(last - first).days + 1 + SCALE_DAYS,
        end=last,
    ).rename(columns={"series_id": "variant_id", "quantity": "actual"})
    actual["date"] = actual["date"].dt.date
    # The scale: each item's day-to-day change before the first day scored for it.
    first_scored = snaps.groupby("variant_id")["date"].min()
    before = actual[actual["date"] < actual["variant_id"].map(first_scored)]
    before = before.sort_values(["variant_id", "date"])
    change = before.groupby("variant_id")["actual"].diff().abs()
    scale = change.groupby(before["variant_id"]).mean()
    merged = snaps.merge(actual[["variant_id", "date", "actual", "stockout"]], how="left")
    merged["actual"] = merged["actual"].fillna(0.0)
    merged = merged[~merged["stockout"].fillna(False).astype(bool)]
    merged["abs_err"] = (merged["forecast"] - merged["actual"]).abs()
    merged["week"] = [d - timedelta(days=d.weekday()) for d in merged["date"]]
    out = []
    for row in empty:
        part = merged[merged["week"] == row["week"]]
        if part.empty:
            out.append(row)
            continue
        total = part["actual"].sum()
        per_item = part.groupby("variant_id")["abs_err"].mean() / scale.reindex(
            part["variant_id"].unique()
        )
        per_item = per_item.replace([float("inf")], float("nan")).dropna()
        out.append(
            {
                "week": row["week"],
                "days": int(part["date"].nunique()),
                "forecast": round(float(part["forecast"].sum()), 3),
                "actual": round(float(total), 3),
                "wape": float(part["abs_err"].sum() / total) if total > 0 else None,
                "mase": float(per_item.mean()) if len(per_item) else None,
            }
        )
    return out


def accuracy_chart(weekly: list[dict]) -> dict:
    """The weekly figures as a Chart.js line chart (WAPE in %, MASE on its own axis)."""
    return {
        "type": "line",
        "labels": [f"{w['week']:%d %b}" for w in weekly],
        "datasets": [
            {
                "label": "Error (WAPE, %)",
                "data": [None if w["wape"] is None else round(w["wape"] * 100, 1) for w in weekly],
                "yAxisID": "y",
            },
            {
                "label": "Scaled error (MASE)",
                "data": [None if w["mase"] is None else round(w["mase"], 3) for w in weekly],
                "yAxisID": "mase",
            },
        ],
    }
