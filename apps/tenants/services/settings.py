"""A company changing its own settings (runs on the company's subdomain, in its schema)."""

from __future__ import annotations

from django.db import transaction

from apps.tenants.models import Tenant
from apps.tenants.services.errors import TenantError


def tenant_set_require_mfa(*, tenant: Tenant, required: bool) -> Tenant:
    tenant.require_mfa = required
    tenant.save(update_fields=["require_mfa"])
    return tenant


def tenant_settings_save(*, form) -> Tenant:
    """Save the settings form; switching negative stock also switches the database's
    on_hand >= 0 constraint in this company's schema, in the same transaction."""
    from apps.inventory.services import InventoryError, inventory_negative_stock_set

    with transaction.atomic():
        if "allow_negative_stock" in form.changed_data:
            try:
                inventory_negative_stock_set(allow=form.cleaned_data["allow_negative_stock"])
            except InventoryError as exc:
                raise TenantError(exc.message, field="allow_negative_stock") from exc
        return form.save()
