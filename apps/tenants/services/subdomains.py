"""Rules for a company's subdomain, shared by sign-up, the live check and the console."""

from __future__ import annotations

import re

from django.conf import settings

from apps.tenants.models import Tenant
from apps.tenants.services.errors import TenantError

# DNS label: lowercase letters, digits and hyphens; starts with a letter; no trailing hyphen.
_SUBDOMAIN = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")


def subdomain_normalise(value: str) -> str:
    return (value or "").strip().lower()


def schema_name_for(slug: str) -> str:
    return slug.replace("-", "_")


def subdomain_validate(value: str) -> str:
    """Return the normalised subdomain or raise TenantError saying what is wrong."""
    slug = subdomain_normalise(value)
    if not slug:
        raise TenantError("Choose a subdomain for your company.", field="subdomain")
    if len(slug) < 3 or len(slug) > 40:
        raise TenantError("A subdomain has 3 to 40 characters.", field="subdomain")
    if not _SUBDOMAIN.match(slug) or "--" in slug:
        raise TenantError(
            "Use lowercase letters, digits and single hyphens; start with a letter and end with a letter or digit.",
            field="subdomain",
        )
    if (
        slug in settings.RESERVED_SUBDOMAINS
        or schema_name_for(slug) in settings.RESERVED_SUBDOMAINS
        or slug.startswith("pg-")
    ):
        raise TenantError(
            f"“{slug}” is reserved. Please choose another subdomain.", field="subdomain"
        )
    if (
        Tenant.objects.filter(slug=slug).exists()
        or Tenant.objects.filter(schema_name=schema_name_for(slug)).exists()
    ):
        raise TenantError(
            f"“{slug}” is already taken. Please choose another subdomain.", field="subdomain"
        )
    return slug
