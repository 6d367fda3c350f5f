"""Role capabilities (the same table as the screens) plus API-key scopes."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from apps.accounts.models import ApiKey
from apps.accounts.permissions import user_can


class ApiPermission(BasePermission):
    """Views set ``api_area`` (scope area) and ``capabilities`` = {"read": …, "write": …}
    or per action: ``{"list": "catalog.view", "create": "catalog.edit", …}``."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        write = request.method not in SAFE_METHODS
        if isinstance(request.auth, ApiKey):
            area = getattr(view, "api_area", None)
            if area and not request.auth.allows(area, write):
                self.message = (
                    f"This API key lacks the {area}:{'write' if write else 'read'} scope."
                )
                return False
        needed = self._capability(view, write)
        if needed and not user_can(user, needed):
            self.message = f"Your role does not allow this (needs {needed})."
            return False
        return True

    @staticmethod
    def _capability(view, write: bool) -> str | None:
        table = getattr(view, "capabilities", {}) or {}
        action = getattr(view, "action", None)
        if action and action in table:
            return table[action]
        return table.get("write" if write else "read")
