from __future__ import annotations

from django.conf import settings
from django.shortcuts import render


def unknown_tenant(request, *args, **kwargs):
    """A host that matches no company: a page that says so, never a stack trace."""
    hostname = request.get_host().split(":")[0]
    return render(
        request,
        "errors/unknown_tenant.html",
        {"hostname": hostname, "base_domain": settings.BASE_DOMAIN},
        status=404,
    )
