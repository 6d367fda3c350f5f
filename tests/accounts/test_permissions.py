from pathlib import Path

import pytest
from django.conf import settings

from apps.accounts.models import Role
from apps.accounts.permissions import CAPABILITIES, HasCapability, user_can


def test_every_capability_is_documented():
    doc = (Path(settings.BASE_DIR) / "docs" / "permissions.md").read_text()
    missing = [cap for cap in CAPABILITIES if f"`{cap}`" not in doc]
    assert missing == []


@pytest.mark.parametrize(
    ("role", "capability", "allowed"),
    [
        (Role.OWNER, "settings.manage", True),
        (Role.MANAGER, "settings.manage", False),
        (Role.MANAGER, "purchasing.approve", True),
        (Role.CLERK, "purchasing.approve", False),
        (Role.CLERK, "inventory.adjust", True),
        (Role.VIEWER, "inventory.adjust", False),
        (Role.VIEWER, "inventory.view", True),
    ],
)
def test_roles_map_to_capabilities(users, role, capability, allowed):
    assert user_can(users[role], capability) is allowed


def test_unknown_capability_is_a_programming_error(users):
    with pytest.raises(KeyError):
        user_can(users[Role.OWNER], "inventory.teleport")


def test_settings_page_is_owner_only(tenant_client, users):
    tenant_client.force_login(users[Role.MANAGER])
    response = tenant_client.get("/team/security/")
    assert response.status_code == 403
    assert b"owner" in response.content.lower()


def test_drf_permission_class_checks_the_view_capability(users, rf):
    class View:
        required_capability = {"POST": "purchasing.approve"}

    request = rf.post("/")
    request.user = users[Role.CLERK]
    assert HasCapability().has_permission(request, View()) is False
    request.user = users[Role.MANAGER]
    assert HasCapability().has_permission(request, View()) is True
