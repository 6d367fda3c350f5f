"""Scheduled reports: list, create (from a report page's current choices), delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import capability_required, user_can
from apps.core.htmx import render_page_or_partial
from apps.core.pagination import paginate, query_without
from apps.notifications.schedule_forms import ScheduleForm
from apps.notifications.schedule_models import ReportSchedule
from apps.notifications.scheduled_reports import (
    ScheduleError,
    report_schedule_create,
    report_schedule_delete,
)
from apps.reports.params import chosen_text

SORTS = {"name": "name", "next": "next_run_at", "report": "report_slug"}


@require_GET
@capability_required("reports.export")
def schedules(request):
    sort = request.GET.get("sort", "next")
    field = SORTS.get(sort.lstrip("-"), "next_run_at")
    rows = ReportSchedule.objects.select_related("created_by").order_by(
        ("-" if sort.startswith("-") else "") + field, "pk"
    )
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(name__icontains=query)
    context = {
        "page": paginate(request, rows),
        "q": query,
        "sort": sort,
        "base": "?" + query_without(request, "page"),
    }
    return render_page_or_partial(
        request, "notifications/schedules.html", "schedule-table", context
    )


def _report_params(request, report) -> dict:
    """The report's own choices from the query string (as its page sent them)."""
    names = set(report.form_class.base_fields) | set(report.form().fields)
    return {k: v for k, v in request.GET.items() if k in names and v != ""}


@require_http_methods(["GET", "POST"])
@capability_required("reports.export")
def schedule_new(request):
    from apps.reports.registry import report_get

    report = report_get(request.GET.get("report", ""))
    if report is None:
        raise Http404("Choose a report first, then “Schedule” on its page.")
    if not user_can(request.user, report.capability):
        raise PermissionDenied("Your role cannot see this report.")
    params = _report_params(request, report)
    initial = {
        "name": report.title,
        "fmt": "pdf",
        "frequency": "weekly",
        "weekday": 0,
        "at_time": "07:00",
        "recipients": request.user.email,
    }
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report_schedule_create(
                report_slug=report.slug, params=params, user=request.user, **form.cleaned_data
            )
        except ScheduleError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"“{form.cleaned_data['name'] or report.title}” scheduled.")
            return redirect("notifications:schedules")
    report_form = report.form(params)
    return render(
        request,
        "notifications/schedule_form.html",
        {
            "form": form,
            "report": report,
            "choices_text": chosen_text(report_form, params),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@capability_required("reports.export")
def schedule_delete(request, pk: int):
    schedule = get_object_or_404(ReportSchedule, pk=pk)
    if schedule.created_by_id != request.user.pk and request.user.role not in (
        Role.OWNER,
        Role.MANAGER,
    ):
        raise PermissionDenied("Only its author, a manager or the owner can delete a schedule.")
    if request.method == "POST":
        name = schedule.name
        report_schedule_delete(schedule=schedule)
        messages.success(request, f"“{name}” deleted; it will not be sent again.")
        return redirect("notifications:schedules")
    return render(request, "notifications/schedule_delete.html", {"schedule": schedule})


@require_POST
@capability_required("reports.export")
def schedule_send_now(request, pk: int):
    from apps.core.jobs import job_enqueue

    schedule = get_object_or_404(ReportSchedule, pk=pk)
    job_enqueue(
        "apps.notifications.scheduled_reports.scheduled_report_send_now",
        schedule.pk,
        label=f"Send {schedule.name}",
    )
    messages.success(
        request, f"“{schedule.name}” is on its way to {', '.join(schedule.recipient_list())}."
    )
    return redirect("notifications:schedules")
