"""The company's audit log (searchable, CSV export), a record's timeline, retention. Owners only."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.permissions import capability_required
from apps.audit import selectors, services
from apps.audit.forms import RetentionForm
from apps.audit.models import Action, AuditSettings
from apps.audit.tracked import label_for
from apps.core.exports import csv_response
from apps.core.htmx import render_page_or_partial
from apps.core.pagination import paginate

EXPORT_LIMIT = 100_000


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request) -> selectors.LogFilters:
    get = request.GET
    return selectors.LogFilters(
        user=get.get("user", "").strip()[:100],
        table=get.get("table", "").strip()[:100],
        action=get.get("action", "").strip()[:30],
        date_from=_date(get.get("from")),
        date_to=_date(get.get("to")),
        q=get.get("q", "").strip()[:100],
    )


@require_GET
@capability_required("audit.view")
def log(request):
    filters = _filters(request)
    sort = request.GET.get("sort", "-when")
    context = {
        "filters": filters,
        "page": paginate(request, selectors.audit_events(filters, sort=sort), per_page=50),
        "tables": selectors.table_choices(),
        "actions": Action.choices,
        "default_sort": "-when",
        "retention_days": AuditSettings.retention(),
        "export_query": request.GET.urlencode(),
    }
    return render_page_or_partial(request, "audit/log.html", "audit-table", context)


@require_GET
@capability_required("audit.view")
def log_export(request):
    events = selectors.audit_events(_filters(request), sort=request.GET.get("sort", "-when"))

    def rows():
        for event in events[:EXPORT_LIMIT].iterator(chunk_size=2000):
            for field, (before, after) in (event.changes or {"": [None, None]}).items():
                yield [
                    event.created_at.isoformat(),
                    event.get_action_display(),
                    label_for(event.table_name) if event.table_name else "",
                    event.table_name,
                    event.record_pk,
                    field,
                    "" if before is None else before,
                    "" if after is None else after,
                    event.actor_kind,
                    event.who,
                    event.ip or "",
                    event.user_agent,
                ]

    header = ["When (UTC)", "Action", "Record type", "Table", "Record id", "Field", "Before",
              "After", "Actor kind", "Who", "IP", "User agent"]  # fmt: skip
    return csv_response(f"audit-log-{date.today().isoformat()}.csv", header, rows())


@require_GET
@capability_required("audit.view")
def record(request, table: str, pk: str):
    if len(table) > 100 or len(pk) > 100:
        raise Http404
    page = paginate(request, selectors.record_timeline(table, pk), per_page=50)
    if not page.paginator.count:
        # Nothing recorded about it here (another company's id, or a typo): like any record
        # this company does not have.
        raise Http404
    context = {"page": page, "table": table, "pk": pk, "label": label_for(table)}
    return render_page_or_partial(request, "audit/record.html", "audit-timeline", context)


@require_http_methods(["GET", "POST"])
@capability_required("audit.view")
def settings_edit(request):
    form = RetentionForm(
        request.POST or None, initial={"retention_days": AuditSettings.retention()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.audit_settings_update(retention_days=form.cleaned_data["retention_days"])
        except services.AuditError as exc:
            form.add_error("retention_days", exc.message)
        else:
            messages.success(request, "Audit log retention saved.")
            return redirect("audit:log")
    status = 400 if request.method == "POST" else 200
    return render(request, "audit/settings.html", {"form": form}, status=status)
