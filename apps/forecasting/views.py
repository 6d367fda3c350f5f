"""Forecasting pages: runs and items at risk, one variant's forecast, "re-forecast now"."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.permissions import capability_required, user_can
from apps.catalog.models import Variant
from apps.core.htmx import render_page_or_partial
from apps.core.pagination import paginate
from apps.forecasting import selectors, services
from apps.forecasting.accuracy import (
    accuracy_by_run,
    accuracy_by_week,
    accuracy_chart,
    variant_accuracy,
)
from apps.forecasting.config import (
    forecast_settings,
    forecast_settings_read,
    forecast_settings_update,
)
from apps.forecasting.errors import ForecastingError
from apps.forecasting.forms import SettingsForm
from apps.purchasing.config import purchasing_settings


@require_GET
@capability_required("forecasting.view")
def overview(request):
    latest = selectors.latest_run()
    context = {
        "page": paginate(request, selectors.runs()),
        "latest": latest,
        "at_risk": list(selectors.at_risk(latest)[:20]),
        "can_run": user_can(request.user, "forecasting.run"),
        "accuracy": accuracy_by_run() if not request.htmx else [],
        "weekly": accuracy_by_week() if not request.htmx else [],
        "insights": selectors.insights(latest) if not request.htmx else {},
        "revenue": _revenue_rows(latest),
        "settings": forecast_settings_read(),
    }
    return render_page_or_partial(request, "forecasting/overview.html", "run-table", context)


def _revenue_rows(run) -> list[dict]:
    data = (run.revenue if run else None) or {}
    keys = ("revenue", "lower_80", "upper_80", "lower_95", "upper_95")
    if not all(k in data for k in ("dates", *keys)):
        return []
    return [{"date": day, **{k: data[k][i] for k in keys}} for i, day in enumerate(data["dates"])]


@require_GET
@capability_required("forecasting.view")
def variant_detail(request, pk: int):
    variant = get_object_or_404(Variant.objects.select_related("product"), pk=pk)
    picked = request.GET.get("warehouse", "")
    data = selectors.variant_forecast(variant, int(picked) if picked.isdigit() else None)
    chart = {
        "history_labels": [str(d) for d, _, _ in data["history"]],
        "history": [q for _, q, _ in data["history"]],
        "labels": [str(f.date) for f in data["days"]],
        "forecast": [float(f.quantity) for f in data["days"]],
        "lower_80": [float(f.lower_80) for f in data["days"]],
        "upper_80": [float(f.upper_80) for f in data["days"]],
        "lower_95": [float(f.lower_95) for f in data["days"]],
        "upper_95": [float(f.upper_95) for f in data["days"]],
        "projection": data["projection"],
        "reorder_point": float(data["policy"].reorder_point) if data["policy"] else None,
    }
    rows = list(zip(data["days"], data["projection"], strict=False))
    context = {
        "variant": variant,
        **data,
        "rows": rows,
        "stockout_days": sum(1 for _, _, s in data["history"] if s),
        "chart": chart,
        "can_run": user_can(request.user, "forecasting.run"),
        "accuracy_history": variant_accuracy(variant.pk),
        "weekly": accuracy_by_week(variant_id=variant.pk),
        "accuracy_src": f"{reverse('forecasting:accuracy-data')}?variant={variant.pk}",
        "settings": forecast_settings_read(),
    }
    return render(request, "forecasting/variant.html", context)


@require_http_methods(["GET", "POST"])
@capability_required("forecasting.run")
def settings_edit(request):
    settings = forecast_settings()
    form = SettingsForm(request.POST or None, initial=SettingsForm.initial_from(settings))
    if request.method == "POST" and form.is_valid():
        try:
            forecast_settings_update(**form.cleaned_data)
        except ForecastingError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Forecasting settings saved.")
            return redirect("forecasting:settings")
    return render(
        request,
        "forecasting/settings.html",
        {"form": form, "purchasing": purchasing_settings()},
        status=422 if form.errors else 200,
    )


@require_POST
@capability_required("forecasting.run")
def reforecast(request):
    variant = None
    if request.POST.get("variant", "").isdigit():
        variant = get_object_or_404(Variant, pk=int(request.POST["variant"]))
    try:
        _run, job = services.forecast_run_request(user=request.user, variant=variant)
    except ForecastingError as exc:
        messages.error(request, str(exc))
        return redirect(request.POST.get("next") or "forecasting:overview")
    if request.htmx:
        return render(request, "core/job_status.html", {"job": job})
    messages.success(request, "Re-forecast queued; the page shows the new figures when it is done.")
    if variant is not None:
        return redirect("forecasting:variant", variant.pk)
    return redirect("forecasting:overview")


@require_GET
@capability_required("forecasting.view")
def accuracy_data(request):
    """Weekly realised accuracy as a Chart.js spec, overall or for ``?variant=<id>`` (the
    pages draw it with static/js/accuracy-chart.js; their tables carry the same figures)."""
    variant_id = None
    if request.GET.get("variant"):
        variant_id = get_object_or_404(Variant, pk=_int_or_404(request.GET["variant"])).pk
    weekly = accuracy_by_week(variant_id=variant_id)
    return JsonResponse(accuracy_chart(weekly))


def _int_or_404(value: str) -> int:
    from django.http import Http404

    if not value.isdigit():
        raise Http404("No such variant.")
    return int(value)
