"""A company changing its own settings."""

from __future__ import annotations

from apps.tenants.models import Tenant


def tenant_set_require_mfa(*, tenant: Tenant, required: bool) -> Tenant:
    tenant.require_mfa = required
    tenant.save(update_fields=["require_mfa"])
    return tenant
