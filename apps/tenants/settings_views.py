"""A company's own settings page (on its subdomain), for owners."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.permissions import capability_required
from apps.tenants.forms import TenantSettingsForm
from apps.tenants.models import Tenant
from apps.tenants.services.errors import TenantError
from apps.tenants.services.settings import tenant_settings_save


@require_http_methods(["GET", "POST"])
@capability_required("settings.manage")
def edit(request):
    # A fresh row, so a failed form never leaves request.tenant half-changed.
    tenant = Tenant.objects.get(pk=request.tenant.pk)
    form = TenantSettingsForm(request.POST or None, request.FILES or None, instance=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            tenant_settings_save(form=form)
        except TenantError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Company settings saved.")
            return redirect("tenant_settings:edit")
    return render(
        request, "tenants/settings.html", {"form": form}, status=422 if form.errors else 200
    )
