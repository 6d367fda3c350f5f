"""Owner-only privacy pages: company data export, closing the company, the request log,
and one customer's data export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.permissions import capability_required
from apps.core.models import JobProgress
from apps.core.pagination import paginate
from apps.privacy.closing import company_closing_request
from apps.privacy.company_export import company_export_start, export_path
from apps.privacy.customers import customer_data_export
from apps.privacy.forms import CloseCompanyForm
from apps.privacy.models import CompanyExport, PrivacyRequest
from apps.sales.models import Customer
from apps.tenants.services.errors import TenantError

OWNER = "settings.manage"  # owners only


@require_GET
@capability_required(OWNER)
def home(request):
    exports = list(CompanyExport.objects.select_related("requested_by")[:10])
    running = [e.job_id for e in exports if e.job_id and e.state == CompanyExport.State.RUNNING]
    jobs = {str(pk): job for pk, job in JobProgress.objects.in_bulk(running).items()}
    for export in exports:
        export.job = jobs.get(export.job_id)
    page = paginate(request, PrivacyRequest.objects.select_related("requested_by"))
    return render(
        request,
        "privacy/home.html",
        {"exports": exports, "page": page, "close_form": CloseCompanyForm()},
    )


@require_POST
@capability_required(OWNER)
def export_start(request):
    export = company_export_start(user=request.user)
    messages.success(request, "The export is being prepared; this page shows its progress.")
    return redirect(f"{redirect('privacy:home').url}#export-{export.pk}")


@require_GET
@capability_required(OWNER)
def export_download(request, token):
    export = get_object_or_404(CompanyExport, token=token, state=CompanyExport.State.READY)
    path = export_path(export)
    if not path.is_file():
        raise Http404("The export file is no longer available.")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=export.file_name)


@require_http_methods(["GET", "POST"])
@capability_required(OWNER)
def close_company(request):
    form = CloseCompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tenant = company_closing_request(
                tenant=request.tenant,
                user=request.user,
                confirm_slug=form.cleaned_data["confirm_slug"],
            )
        except TenantError as exc:
            form.add_error("confirm_slug", exc.message)
        else:
            logout(request)
            return render(request, "privacy/closed.html", {"tenant": tenant})
    return render(
        request,
        "privacy/close.html",
        {"form": form, "exports": CompanyExport.objects.filter(state="ready")[:5]},
        status=422 if form.errors else 200,
    )


@require_POST
@capability_required(OWNER)
def customer_export(request, pk: int):
    customer = get_object_or_404(Customer, pk=pk)
    data = customer_data_export(customer=customer, user=request.user)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
    return response
