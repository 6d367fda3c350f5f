from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import CAPABILITIES, capability_required, roles_with, user_can
from apps.core.exports import csv_response, xlsx_response
from apps.core.htmx import render_page_or_partial
from apps.core.models import JobProgress
from apps.core.pagination import paginate
from apps.importexport import services
from apps.importexport.errors import ImportExportError
from apps.importexport.exporters import EXPORTS
from apps.importexport.forms import UploadForm
from apps.importexport.importers import IMPORTERS, importer_for
from apps.importexport.models import ImportBatch, ImportRow
from apps.importexport.selectors import batch_rows, batches_list, importable_kinds

FORMATS = ("csv", "xlsx")


def _require(request, capability: str) -> None:
    """The per-kind check (which capability depends on what is imported or exported)."""
    if not user_can(request.user, capability):
        roles = ", ".join(Role(r).label.lower() for r in roles_with(capability))
        raise PermissionDenied(
            f"This needs the “{CAPABILITIES[capability][1].lower()}” permission, which {roles} roles have."
        )


def _importer_or_404(kind: str):
    importer_cls = importer_for(kind)
    if importer_cls is None:
        raise Http404("No such import")
    return importer_cls


@require_GET
@capability_required("catalog.view")
def home(request):
    context = {
        "importers": [cls for cls in IMPORTERS.values() if user_can(request.user, cls.capability)],
        "exports": [e for e in EXPORTS.values() if user_can(request.user, e.capability)],
        "recent": batches_list(kinds=importable_kinds(request.user))[:5],
    }
    return render(request, "importexport/home.html", context)


@require_http_methods(["GET", "POST"])
@capability_required("catalog.view")
def upload(request, kind: str):
    importer_cls = _importer_or_404(kind)
    _require(request, importer_cls.capability)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            batch = services.import_batch_create(
                kind=kind, filename=upload_file.name, content=upload_file.read(), user=request.user
            )
        except ImportExportError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("importexport:batch", pk=batch.pk)
    context = {"importer": importer_cls, "form": form}
    return render(request, "importexport/upload.html", context, status=422 if form.errors else 200)


@require_GET
@capability_required("catalog.view")
def template_file(request, kind: str, fmt: str):
    importer_cls = _importer_or_404(kind)
    if fmt not in FORMATS:
        raise Http404("No such format")
    header = [c.name for c in importer_cls.columns]
    rows = [importer_cls.template_row()]
    filename = f"{kind.replace('_', '-')}-template.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows, sheet_title=importer_cls.label)
    return csv_response(filename, header, rows)


@require_GET
@capability_required("catalog.view")
def batches(request):
    kinds = importable_kinds(request.user)
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    search = request.GET.get("q", "").strip()
    qs = batches_list(
        kinds=kinds,
        kind=kind if kind in kinds else "",
        status=status,
        search=search,
        sort=request.GET.get("sort", "-created"),
    )
    context = {
        "page": paginate(request, qs),
        "kind": kind,
        "status": status,
        "search": search,
        "kinds": [(k, IMPORTERS[k].label) for k in kinds],
        "statuses": ImportBatch.Status.choices,
        "default_sort": "-created",
    }
    return render_page_or_partial(request, "importexport/batches.html", "batch-table", context)


def _batch_for(request, pk: int) -> ImportBatch:
    batch = get_object_or_404(
        ImportBatch.objects.select_related("created_by", "confirmed_by").defer("content"), pk=pk
    )
    importer_cls = importer_for(batch.kind)
    if importer_cls is None:
        raise Http404("No such import")
    _require(request, importer_cls.capability)
    return batch


@require_GET
@capability_required("catalog.view")
def batch_detail(request, pk: int):
    batch = _batch_for(request, pk)
    importer_cls = importer_for(batch.kind)
    action = request.GET.get("action", "")
    job = None
    if batch.busy and batch.job_id:
        job = JobProgress.objects.filter(pk=batch.job_id).first()
    page = paginate(
        request,
        batch_rows(batch=batch, action=action, sort=request.GET.get("sort", "number")),
        per_page=50,
    )
    labels = {**dict(ImportRow.Action.choices), **importer_cls.action_labels}
    for row in page:
        row.label = labels.get(row.action, row.action)
    context = {
        "batch": batch,
        "importer": importer_cls,
        "job": job,
        "action": action,
        "actions": [("", "All rows"), ("changes", "Changes"), *ImportRow.Action.choices],
        "page": page,
        "default_sort": "number",
    }
    return render_page_or_partial(request, "importexport/batch.html", "row-table", context)


@require_POST
@capability_required("catalog.view")
def batch_confirm(request, pk: int):
    batch = _batch_for(request, pk)
    try:
        batch = services.import_batch_confirm(batch=batch, user=request.user)
    except ImportExportError as exc:
        messages.error(request, exc.message)
    else:
        if batch.status == ImportBatch.Status.DONE:
            messages.success(
                request,
                f"Imported: {batch.create_count} new, {batch.update_count} updated.",
            )
        elif batch.status != ImportBatch.Status.IMPORTING:
            messages.error(request, batch.message)
    return redirect("importexport:batch", pk=batch.pk)


@require_POST
@capability_required("catalog.view")
def batch_recheck(request, pk: int):
    batch = _batch_for(request, pk)
    try:
        batch = services.import_batch_recheck(batch=batch)
    except ImportExportError as exc:
        messages.error(request, exc.message)
    else:
        if batch.status == ImportBatch.Status.READY:
            messages.success(request, "Checked again: no errors now. Review and confirm.")
    return redirect("importexport:batch", pk=batch.pk)


@require_http_methods(["GET", "POST"])
@capability_required("catalog.view")
def batch_discard(request, pk: int):
    batch = _batch_for(request, pk)
    if request.method == "POST":
        try:
            services.import_batch_discard(batch=batch)
        except ImportExportError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{batch.filename} discarded.")
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = services.batch_url(batch)
            return response
        return redirect("importexport:batch", pk=batch.pk)
    return render(request, "importexport/discard.html", {"batch": batch})


@require_GET
@capability_required("catalog.view")
def export(request, kind: str, fmt: str):
    spec = EXPORTS.get(kind)
    if spec is None or fmt not in FORMATS:
        raise Http404("No such export")
    _require(request, spec.capability)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{kind}-{stamp}.{fmt}"
    rows = spec.rows(request.GET)
    if fmt == "xlsx":
        return xlsx_response(filename, spec.header, rows, sheet_title=spec.label)
    return csv_response(filename, spec.header, rows)
