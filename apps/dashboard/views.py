"""The dashboard page, each widget's partial and chart JSON, and the layout actions.

The page itself only lays out empty cards; each card fetches its own partial
(``hx-trigger="load, every 60s"``), so a slow widget never holds up the others.
"""

from __future__ import annotations

import json
import logging

from django.http import Http404, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.permissions import capability_required
from apps.dashboard.context import widget_context
from apps.dashboard.db import without_jit
from apps.dashboard.layout import (
    LayoutError,
    layout_for,
    layout_hide,
    layout_move,
    layout_reset,
    layout_show,
)
from apps.dashboard.registry import Widget, widget_get
from apps.dashboard.selectors import dashboard_checklist

logger = logging.getLogger(__name__)


def _widget_or_404(request, key: str) -> Widget:
    widget = widget_get(key)
    # A widget the user may not see does not exist for them (clerks and money widgets).
    if widget is None or not widget.visible_to(request.user):
        raise Http404("No such widget.")
    return widget


def _page_context(request, params=None) -> dict:
    ctx, form = widget_context(request, params=params)
    layout = layout_for(request.user)
    shown = [item.widget for item in layout if not item.hidden]
    return {"ctx": ctx, "range_form": form, "layout": layout, "shown": shown}


@require_GET
@capability_required("dashboard.view")
def home(request):
    context = _page_context(request)
    context["checklist"] = dashboard_checklist(request.tenant, request.user)
    return render(request, "dashboard/home.html", context)


@require_GET
@capability_required("dashboard.view")
def widget(request, key: str):
    widget = _widget_or_404(request, key)
    ctx, _ = widget_context(request)
    try:
        with without_jit():
            data = widget.data(ctx)
    except Exception:  # one broken widget must not take the dashboard down with it
        logger.exception("Dashboard widget %s failed", key)
        return render(request, "dashboard/widgets/_failed.html", {"widget": widget})
    return render(request, widget.template, {"widget": widget, "ctx": ctx, "data": data})


@require_GET
@capability_required("dashboard.view")
def widget_data(request, key: str):
    widget = _widget_or_404(request, key)
    if not widget.has_chart:
        raise Http404("This widget has no chart.")
    ctx, _ = widget_context(request)
    try:
        with without_jit():
            chart = widget.chart(ctx, widget.data(ctx))
    except Exception:  # the page says so next to the chart; the table shows the figures
        logger.exception("Dashboard chart %s failed", key)
        return JsonResponse(
            {"key": widget.key, "error": "This chart could not be drawn."}, status=503
        )
    return JsonResponse(
        {"key": widget.key, "title": widget.title, "from": ctx.date_from, "to": ctx.date_to} | chart
    )


@require_POST
@capability_required("dashboard.view")
def layout_change(request, action: str):
    key = request.POST.get("widget", "")
    error = None
    try:
        if action == "move":
            layout_move(user=request.user, key=key, direction=request.POST.get("direction", ""))
        elif action == "hide":
            layout_hide(user=request.user, key=key)
        elif action == "show":
            layout_show(user=request.user, key=key)
        elif action == "reset":
            layout_reset(user=request.user)
        else:
            raise Http404("Unknown layout action.")
    except LayoutError as exc:
        error = exc.message
    query = request.POST.get("query", "")
    if not request.htmx:
        from django.contrib import messages

        if error:
            messages.error(request, error)
        return HttpResponseRedirect(reverse("dashboard:home") + (f"?{query}" if query else ""))
    # The page's range travels in the form, so the re-rendered widgets keep it.
    context = _page_context(request, params=QueryDict(query))
    context |= {"layout_error": error, "focus": request.POST.get("focus", "")}
    response = render(request, "dashboard/home.html#layout", context, status=422 if error else 200)
    if context["focus"]:
        response["HX-Trigger-After-Settle"] = json.dumps({"dashboardFocus": context["focus"]})
    return response
