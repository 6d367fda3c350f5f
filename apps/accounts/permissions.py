"""Who may do what: one table from capability to the roles that have it.

Views use ``capability_required``/``CapabilityRequiredMixin``, templates use
``{% if user|can:"inventory.adjust" %}``, the API uses ``HasCapability``.
docs/permissions.md shows this table; a test keeps the two in step.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from apps.accounts.models import Role

OWNER, MANAGER, CLERK, VIEWER = Role.OWNER, Role.MANAGER, Role.CLERK, Role.VIEWER
EVERYONE = frozenset({OWNER, MANAGER, CLERK, VIEWER})
STAFF = frozenset({OWNER, MANAGER, CLERK})
MANAGERS = frozenset({OWNER, MANAGER})
OWNERS = frozenset({OWNER})

CAPABILITIES: dict[str, tuple[frozenset, str]] = {
    # capability: (roles, what it allows)
    "dashboard.view": (EVERYONE, "See the dashboard"),
    "catalog.view": (EVERYONE, "See products, variants and suppliers"),
    "catalog.edit": (MANAGERS, "Create and change products, variants, suppliers and prices"),
    "inventory.view": (EVERYONE, "See stock levels and movement history"),
    "inventory.adjust": (STAFF, "Adjust stock (damaged, found, correction …)"),
    "inventory.transfer": (STAFF, "Ship and receive transfers between warehouses"),
    "inventory.count": (STAFF, "Enter cycle counts"),
    "inventory.post_count": (MANAGERS, "Post count variances to the ledger"),
    "inventory.manage_warehouses": (MANAGERS, "Create and change warehouses and bins"),
    "sales.view": (EVERYONE, "See customers and sales orders"),
    "sales.edit": (STAFF, "Create and change sales orders and customers"),
    "sales.ship": (STAFF, "Pick, pack and ship orders"),
    "sales.refund": (MANAGERS, "Accept returns and issue refunds"),
    "purchasing.view": (EVERYONE, "See purchase orders and suppliers"),
    "purchasing.edit": (STAFF, "Draft purchase orders"),
    "purchasing.approve": (MANAGERS, "Approve and send purchase orders"),
    "purchasing.receive": (STAFF, "Receive goods against purchase orders"),
    "forecasting.view": (EVERYONE, "See forecasts and reorder suggestions"),
    "forecasting.run": (MANAGERS, "Run forecasts and change replenishment policies"),
    "reports.view": (EVERYONE, "See reports"),
    "reports.export": (STAFF, "Export reports as PDF, CSV and Excel"),
    "integrations.manage": (MANAGERS, "Connect and configure integrations"),
    "audit.view": (OWNERS, "See the audit trail"),
    "api_keys.manage": (MANAGERS, "Create and revoke API keys"),
    "users.view": (EVERYONE, "See the team"),
    "users.manage": (MANAGERS, "Invite people, change roles, deactivate users"),
    "settings.manage": (OWNERS, "Change company settings, branding and security policy"),
    "billing.manage": (OWNERS, "Change the plan and billing details"),
}


def user_can(user, capability: str) -> bool:
    if capability not in CAPABILITIES:
        raise KeyError(f"Unknown capability {capability!r}")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in CAPABILITIES[capability][0]


def roles_with(capability: str) -> list[str]:
    return [role for role in Role.values if role in CAPABILITIES[capability][0]]


def _denied_message(capability: str) -> str:
    labels = ", ".join(Role(role).label.lower() for role in roles_with(capability))
    return f"This needs the “{CAPABILITIES[capability][1].lower()}” permission, which {labels} roles have."


def capability_required(capability: str):
    """View decorator: anonymous users go to sign in; signed-in users without it get 403."""
    if capability not in CAPABILITIES:
        raise KeyError(f"Unknown capability {capability!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_can(request.user, capability):
                raise PermissionDenied(_denied_message(capability))
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability  # read by the role sweep (tests/security)
        return wrapped

    return decorator


class CapabilityRequiredMixin(AccessMixin):
    capability: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not user_can(request.user, self.capability):
            raise PermissionDenied(_denied_message(self.capability))
        return super().dispatch(request, *args, **kwargs)


try:  # The API issue wires DRF in; the class is ready for it.
    from rest_framework.permissions import BasePermission
except ImportError:  # pragma: no cover - DRF is a dependency
    BasePermission = object


class HasCapability(BasePermission):
    """DRF permission: set ``required_capability`` (or a per-method dict) on the view."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        capability = getattr(view, "required_capability", None)
        if isinstance(capability, dict):
            capability = capability.get(request.method)
        if capability is None:
            return bool(request.user and request.user.is_authenticated)
        return user_can(request.user, capability)
