"""Reports: the index, and each report as a page or a download (?format=csv|xlsx|pdf)."""

from __future__ import annotations

from itertools import islice

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from apps.accounts.permissions import capability_required, user_can
from apps.core.htmx import render_page_or_partial
from apps.core.pagination import paginate, query_without
from apps.reports.base import Result
from apps.reports.jobs import background_threshold, report_file_start
from apps.reports.params import params_text, query_params
from apps.reports.registry import report_get, reports_by_group
from apps.reports.renderers import files

FORMATS = {"csv": files.render_csv, "xlsx": files.render_xlsx}


@require_GET
@capability_required("reports.view")
def index(request):
    return render(request, "reports/index.html", {"groups": reports_by_group()})


@require_GET
@capability_required("reports.view")
def report(request, slug: str):
    definition = report_get(slug)
    if definition is None:
        raise Http404("No such report")
    if not user_can(request.user, definition.capability):
        raise PermissionDenied("Your role cannot see this report.")
    form = definition.form(request.GET)
    fmt = request.GET.get("format", "")
    sort = request.GET.get("sort", "")
    if not form.is_valid():
        context = {"report": definition, "form": form, "page": None}
        return render(request, "reports/report.html", context, status=400)
    result = Result(definition, form.cleaned_data, sort)
    if fmt in FORMATS or fmt == "pdf":
        if not user_can(request.user, "reports.export"):
            raise PermissionDenied("Your role can see reports but not export them.")
        estimated = definition.estimate_rows(form.cleaned_data)
        if estimated is not None and estimated > background_threshold():
            record = report_file_start(
                slug=slug,
                query=query_params(form),
                sort=sort,
                fmt=fmt,
                params_text=params_text(form),
                estimated=estimated,
                user=request.user,
            )
            return redirect("reports:file", pk=record.pk)
        if fmt == "pdf":
            return files.render_pdf_response(result, request=request, params_text=params_text(form))
        return FORMATS[fmt](result)
    # The page never holds more rows than a download would prepare at once: beyond that it
    # shows the first ones, without totals, and points to the (background) download.
    limit = background_threshold()
    estimated = definition.estimate_rows(form.cleaned_data)
    truncated = estimated is not None and estimated > limit
    rows = list(islice(result.iter_rows(), limit)) if truncated else result.rows
    context = {
        "report": definition,
        "form": form,
        "page": paginate(request, rows, per_page=50),
        "totals": None if truncated else result.totals,
        "truncated": truncated,
        "estimated": estimated,
        "limit": limit,
        "sort": sort or definition.default_sort,
        "base": "?" + query_without(request, "page"),
        "export_base": "?" + query_without(request, "page", "format"),
        "can_export": user_can(request.user, "reports.export"),
        "schedule_query": "?" + query_without(request, "page", "format", "sort"),
    }
    return render_page_or_partial(request, "reports/report.html", "report-table", context)
