"""The platform console (``/console/`` on the public site), for platform staff only."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.htmx import render_page_or_partial
from apps.core.pagination import paginate
from apps.tenants.forms import CreateCompanyForm, ScheduleDeletionForm, SuspendForm
from apps.tenants.models import Plan, Tenant
from apps.tenants.selectors import tenants_for_console
from apps.tenants.services import lifecycle
from apps.tenants.services.errors import TenantError
from apps.tenants.services.health import queue_health


def staff_required(view):
    """Platform staff of the public schema only; with CONSOLE_REQUIRE_MFA, only with TOTP set up."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied("The console is for Stockroom's platform staff.")
        if settings.CONSOLE_REQUIRE_MFA:
            from apps.accounts.selectors import user_has_totp

            if not user_has_totp(request.user):
                messages.warning(
                    request,
                    "The console requires two-factor authentication. Set it up to continue.",
                )
                return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@staff_required
def home(request):
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    plan = request.GET.get("plan", "")
    page = paginate(
        request,
        tenants_for_console(
            search=search, status=status, plan=plan, sort=request.GET.get("sort", "name")
        ),
    )
    context = {
        "page": page,
        "search": search,
        "status": status,
        "plan": plan,
        "statuses": Tenant.Status.choices,
        "plans": Plan.objects.all(),
        "default_sort": "name",
        "health": queue_health(),
    }
    return render_page_or_partial(request, "console/home.html", "tenant-table", context)


@require_GET
@staff_required
def detail(request, pk: int):
    tenant = get_object_or_404(Tenant.objects.select_related("plan"), pk=pk, is_template=False)
    if tenant.schema_name == "public":
        raise PermissionDenied("The public site is not a company.")
    return render(
        request,
        "console/detail.html",
        {
            "tenant": tenant,
            "actions": tenant.console_actions.all()[:50],
            "suspend_form": SuspendForm(),
            "deletion_form": ScheduleDeletionForm(tenant=tenant),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def create(request):
    form = CreateCompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from apps.core.jobs import job_enqueue
        from apps.tenants.services.provisioning import tenant_register

        data = form.cleaned_data
        try:
            with transaction.atomic():
                tenant = tenant_register(
                    name=data["company_name"], subdomain=data["subdomain"], plan=data["plan"]
                )
                job = job_enqueue(
                    "apps.tenants.tasks.provision_for_customer",
                    tenant.pk,
                    data["owner_email"].lower(),
                    request.user.email,
                    schema_name="public",
                    label=f"Creating {tenant.name}",
                    progress=True,
                )
        except TenantError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message)
        else:
            return render(request, "console/progress.html", {"job": job, "tenant": tenant})
    return render(
        request, "console/create.html", {"form": form}, status=422 if form.errors else 200
    )


def _act(request, pk: int, action):
    tenant = get_object_or_404(Tenant, pk=pk, is_template=False)
    try:
        text = action(tenant)
    except TenantError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, text)
    return redirect("console:detail", pk=pk)


@require_POST
@staff_required
def suspend(request, pk: int):
    form = SuspendForm(request.POST)
    reason = form.data.get("reason", "")

    def action(tenant):
        lifecycle.tenant_suspend(tenant=tenant, reason=reason, actor=request.user)
        return f"{tenant.name} is suspended."

    return _act(request, pk, action)


@require_POST
@staff_required
def reactivate(request, pk: int):
    def action(tenant):
        lifecycle.tenant_reactivate(tenant=tenant, actor=request.user)
        return f"{tenant.name} is active again."

    return _act(request, pk, action)


@require_POST
@staff_required
def schedule_deletion(request, pk: int):
    tenant = get_object_or_404(Tenant, pk=pk, is_template=False)
    form = ScheduleDeletionForm(request.POST, tenant=tenant)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("console:detail", pk=pk)

    def action(tenant):
        lifecycle.tenant_schedule_deletion(
            tenant=tenant, grace_days=form.cleaned_data["grace_days"], actor=request.user
        )
        return f"{tenant.name} will be deleted on {tenant.deletion_scheduled_for:%d %B %Y} unless reactivated."

    return _act(request, pk, action)
