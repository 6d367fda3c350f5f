"""Console pages for one company's backups: the list, "back up now", and restore."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.jobs import job_enqueue
from apps.tenants.backup import backup_find, backups_for
from apps.tenants.backup_forms import RestoreForm
from apps.tenants.backup_retention import KEEP_DAILY, KEEP_WEEKLY
from apps.tenants.console import staff_required
from apps.tenants.models import Tenant
from apps.tenants.services.errors import TenantError


def _company(pk: int) -> Tenant:
    tenant = get_object_or_404(Tenant, pk=pk, is_template=False)
    if tenant.schema_name == "public":
        raise Http404
    return tenant


@require_GET
@staff_required
def backups(request, pk: int):
    tenant = _company(pk)
    page = Paginator(backups_for(tenant.slug), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "console/backups.html",
        {"tenant": tenant, "page": page, "keep_daily": KEEP_DAILY, "keep_weekly": KEEP_WEEKLY},
    )


@require_POST
@staff_required
def backup_now(request, pk: int):
    tenant = _company(pk)
    with transaction.atomic():
        job = job_enqueue(
            "apps.tenants.backup_jobs.backup_run",
            tenant.pk,
            request.user.email,
            schema_name="public",
            label=f"Backing up {tenant.name}",
            progress=True,
        )
    return render(request, "console/backup_progress.html", {"job": job, "tenant": tenant})


@require_http_methods(["GET", "POST"])
@staff_required
def restore(request, pk: int, name: str):
    tenant = _company(pk)
    try:
        backup = backup_find(tenant.slug, name)
    except TenantError as exc:
        raise Http404(exc.message) from exc
    form = RestoreForm(request.POST or None, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        as_slug = form.cleaned_data["new_slug"] if form.cleaned_data["mode"] == "new" else ""
        with transaction.atomic():
            job = job_enqueue(
                "apps.tenants.backup_jobs.restore_run",
                tenant.pk,
                backup.name,
                as_slug,
                request.user.email,
                schema_name="public",
                label=f"Restoring {tenant.name} from {backup.created_at:%Y-%m-%d %H:%M}",
                progress=True,
            )
        return render(request, "console/backup_progress.html", {"job": job, "tenant": tenant})
    return render(
        request,
        "console/backup_restore.html",
        {"tenant": tenant, "backup": backup, "form": form},
        status=422 if form.errors else 200,
    )
