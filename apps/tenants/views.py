from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from apps.tenants.models import Tenant


def unknown_tenant(request, *args, **kwargs):
    """A host that matches no company: a page that says so, never a stack trace."""
    hostname = request.get_host().split(":")[0]
    return render(
        request,
        "errors/unknown_tenant.html",
        {"hostname": hostname, "base_domain": settings.BASE_DOMAIN},
        status=404,
    )


DEMO_COMPANIES = [
    ("techgear", "TechGear Electronics"),
    ("fashionforward", "Fashion Forward"),
    ("homegardenplus", "Home & Garden Plus"),
    ("sportsfitnesshub", "Sports & Fitness Hub"),
    ("bookwormcentral", "Bookworm Central"),
]


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
