from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.dashboard.selectors import dashboard_checklist, dashboard_kpis


@require_GET
@login_required
def home(request):
    return render(
        request,
        "dashboard/home.html",
        {"kpis": dashboard_kpis(), "checklist": dashboard_checklist(request.tenant, request.user)},
    )
