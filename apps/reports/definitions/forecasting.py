"""Forecast reports: forecast vs actual per item, accuracy by model and demand class, and the
revenue forecast with its bands. Figures come from apps/forecasting (stored runs, their
forecast snapshots and the ledger)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from apps.reports.base import Column, Report
from apps.reports.dates import DateRangeForm
from apps.reports.definitions.stock_analysis import sort_rows
from apps.reports.registry import register


def _pct(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(str(part)) / Decimal(str(whole)) * 100).quantize(Decimal("0.1"))


def _q(value) -> Decimal:
    return Decimal(str(round(float(value), 3)))


def _realised(params) -> list[dict]:
    from apps.catalog.models import Variant
    from apps.forecasting.accuracy import realised_by_variant

    frame = realised_by_variant(params["date_from"], params["date_to"])
    if frame.empty:
        return []
    variants = Variant.objects.select_related("product").in_bulk(
        [int(v) for v in frame["variant_id"]]
    )
    rows = []
    for r in frame.itertuples():
        v = variants.get(int(r.variant_id))
        if v is None:
            continue
        rows.append(
            {
                "variant_id": v.pk,
                "sku": v.sku,
                "product": v.product.name,
                "days": int(r.days),
                "forecast": _q(r.forecast),
                "actual": _q(r.actual),
                "abs_error": _q(r.abs_err),
                "wape": _pct(r.abs_err, r.actual),
                "bias": _pct(r.forecast - r.actual, r.actual),
            }
        )
    return rows


@register
class ForecastVsActualReport(Report):
    slug = "forecast-vs-actual"
    title = "Forecast vs actual"
    group = "Forecasting"
    capability = "forecasting.view"
    description = (
        "Per item over past days of the period: what was forecast at the time (the latest run "
        "finished before each day) against what shipped. Error is the share of actual demand "
        "the daily forecasts were off by (WAPE); bias above 0 means forecasts ran high. Days "
        "out of stock are left out: their demand is unknown."
    )
    form_class = DateRangeForm
    default_sort = "-abs_error"
    columns = [
        Column("sku", "SKU"),
        Column("product", "Product"),
        Column("days", "Days compared", "int"),
        Column("forecast", "Forecast", "qty", total=True),
        Column("actual", "Actual", "qty", total=True),
        Column("abs_error", "Absolute error", "qty", total=True),
        Column("wape", "Error (WAPE)", "percent"),
        Column("bias", "Bias", "percent"),
    ]

    def rows(self, params, sort=""):
        return sort_rows(self, _realised(params), sort)

    def totals_finish(self, sums):
        sums["wape"] = _pct(sums.get("abs_error", 0), sums.get("actual", 0))
        sums["bias"] = _pct(sums.get("forecast", 0) - sums.get("actual", 0), sums.get("actual", 0))
        return sums


@register
class AccuracyByModelReport(Report):
    slug = "forecast-accuracy"
    title = "Forecast accuracy by model and demand class"
    group = "Forecasting"
    capability = "forecasting.view"
    description = (
        "For the latest whole-catalogue run, per chosen model and demand class: how many "
        "items, what the backtest promised (average WAPE, RMSSE — below 1 beats repeating "
        "yesterday — and how often the 80% band held the actual), and the error realised "
        "over past days of the period."
    )
    form_class = DateRangeForm
    default_sort = "-items"
    columns = [
        Column("model", "Model"),
        Column("demand_class", "Demand class"),
        Column("items", "Items", "int", total=True),
        Column("backtest_wape", "Backtest error (WAPE)", "percent"),
        Column("rmsse", "Backtest RMSSE", "ratio"),
        Column("coverage_80", "80% band held", "percent"),
        Column("actual", "Actual in period", "qty", total=True),
        Column("realised_wape", "Realised error (WAPE)", "percent"),
    ]

    def rows(self, params, sort=""):
        from apps.forecasting.models import PolicyResult
        from apps.forecasting.selectors import latest_run

        run = latest_run()
        if run is None:
            return []
        realised = {r["variant_id"]: r for r in _realised(params)}
        groups: dict[tuple[str, str], dict] = {}
        for p in PolicyResult.objects.filter(run=run).only(
            "variant_id", "model", "demand_class", "metrics"
        ):
            g = groups.setdefault(
                (p.model, p.demand_class),
                {"items": 0, "wape": [], "rmsse": [], "cov": [], "actual": 0.0, "err": 0.0},
            )
            g["items"] += 1
            m = p.metrics or {}
            for key, name in (("wape", "wape"), ("rmsse", "rmsse"), ("cov", "coverage_80")):
                if m.get(name) is not None:
                    g[key].append(float(m[name]))
            if p.variant_id in realised:
                g["actual"] += float(realised[p.variant_id]["actual"])
                g["err"] += float(realised[p.variant_id]["abs_error"])

        def mean(values):
            return sum(values) / len(values) if values else None

        rows = []
        for (model, klass), g in groups.items():
            wape, rmsse, cov = mean(g["wape"]), mean(g["rmsse"]), mean(g["cov"])
            rows.append(
                {
                    "model": model,
                    "demand_class": klass,
                    "items": g["items"],
                    "backtest_wape": None if wape is None else _pct(wape, 1),
                    "rmsse": None if rmsse is None else _q(rmsse),
                    "coverage_80": None if cov is None else _pct(cov, 1),
                    "actual": _q(g["actual"]),
                    "realised_wape": _pct(g["err"], g["actual"]),
                }
            )
        return sort_rows(self, rows, sort)


@register
class RevenueForecastReport(Report):
    slug = "revenue-forecast"
    title = "Revenue forecast"
    group = "Forecasting"
    capability = "forecasting.view"
    description = (
        "Expected sales value per day from the latest whole-catalogue forecast (each item's "
        "forecast × its sale price), with 80% and 95% ranges built from the models' past "
        "errors priced and added up day by day, which keeps items that move together "
        "together. The total is of the expected revenue only: ranges do not add up."
    )
    form_class = forms.Form
    default_sort = "date"
    columns = [
        Column("date", "Day", "date"),
        Column("revenue", "Expected revenue", "money", total=True),
        Column("lower_80", "80% range from", "money"),
        Column("upper_80", "80% range to", "money"),
        Column("lower_95", "95% range from", "money"),
        Column("upper_95", "95% range to", "money"),
    ]

    def rows(self, params, sort=""):
        import datetime as dt

        from apps.forecasting.selectors import latest_run

        run = latest_run()
        data = (run.revenue if run else None) or {}
        keys = ("revenue", "lower_80", "upper_80", "lower_95", "upper_95")
        if not all(k in data for k in ("dates", *keys)):
            return []
        rows = [
            {
                "date": dt.date.fromisoformat(day),
                **{k: Decimal(str(data[k][i])).quantize(Decimal("0.01")) for k in keys},
            }
            for i, day in enumerate(data["dates"])
        ]
        return sort_rows(self, rows, sort)
