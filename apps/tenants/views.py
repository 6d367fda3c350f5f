"""Public site: landing, sign-up with live subdomain check, provisioning progress; and the
sign-in handoff that lands a new owner on their own subdomain."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.jobs import job_enqueue
from apps.core.models import JobProgress
from apps.tenants.forms import SignupForm
from apps.tenants.models import Tenant
from apps.tenants.services.errors import TenantError
from apps.tenants.services.handoff import HandoffInvalid, handoff_redeem
from apps.tenants.services.provisioning import tenant_register
from apps.tenants.services.subdomains import subdomain_normalise, subdomain_validate

DEMO_COMPANIES = [
    ("techgear", "TechGear Electronics"),
    ("fashionforward", "Fashion Forward"),
    ("homegardenplus", "Home & Garden Plus"),
    ("sportsfitnesshub", "Sports & Fitness Hub"),
    ("bookwormcentral", "Bookworm Central"),
]


def unknown_tenant(request, *args, **kwargs):
    """A host that matches no company: a page that says so, never a stack trace."""
    hostname = request.get_host().split(":")[0]
    return render(request, "errors/unknown_tenant.html", {"hostname": hostname}, status=404)


@require_GET
def landing(request):
    # Only the demo companies are named publicly; customers' names never are.
    present = set(
        Tenant.objects.filter(slug__in=[slug for slug, _ in DEMO_COMPANIES]).values_list(
            "slug", flat=True
        )
    )
    return render(
        request,
        "public/landing.html",
        {"demo_companies": [c for c in DEMO_COMPANIES if c[0] in present]},
    )


@require_GET
def subdomain_check(request):
    """HTMX: says whether the subdomain typed so far can be had, and if not, why."""
    value = subdomain_normalise(request.GET.get("subdomain", ""))
    try:
        slug = subdomain_validate(value)
    except TenantError as exc:
        return render(
            request,
            "public/partials/subdomain_status.html",
            {"ok": False, "message": exc.message, "value": value},
        )
    return render(
        request,
        "public/partials/subdomain_status.html",
        {"ok": True, "message": f"{slug}.{settings.BASE_DOMAIN} is available.", "value": slug},
    )


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                tenant = tenant_register(name=data["company_name"], subdomain=data["subdomain"])
                job = job_enqueue(
                    "apps.tenants.tasks.provision_signup",
                    tenant.pk,
                    data["email"].lower(),
                    make_password(data["password"]),
                    data["full_name"],
                    schema_name="public",
                    label=f"Setting up {tenant.name}",
                    progress=True,
                )
        except TenantError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("public:signup_progress", job_id=job.pk)
    return render(request, "public/signup.html", {"form": form}, status=422 if form.errors else 200)


@require_GET
def signup_progress(request, job_id):
    job = JobProgress.objects.filter(pk=job_id, schema_name="public").first()
    if job is None:
        raise Http404("No such sign-up")
    return render(request, "public/signup_progress.html", {"job": job})


@require_GET
def handoff(request, token: str):
    """Sign the new owner in on their own subdomain, once, from the link the sign-up job made."""
    from apps.accounts.models import User

    try:
        user_id = handoff_redeem(token=token, schema_name=request.tenant.schema_name)
        user = User.objects.get(pk=user_id, is_active=True)
    except (HandoffInvalid, User.DoesNotExist) as exc:
        messages.error(
            request,
            str(exc) if isinstance(exc, HandoffInvalid) else "That account no longer exists.",
        )
        return redirect("account_login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request, f"Welcome to Stockroom, {user.get_short_name()}! {request.tenant.name} is ready."
    )
    return redirect("dashboard:home")
