"""Role sweep: every view that names a capability, fetched by each role (posted to, for POST-only
actions), is refused (403) exactly for the roles the permission table
(apps/accounts/permissions.py) leaves out. Ids are another company's, so nothing is changed."""

from __future__ import annotations

from apps.accounts.models import Role
from apps.accounts.permissions import CAPABILITIES
from tests.conftest import TenantClient
from tests.security.urlsweep import tenant_routes, view_capability


def test_every_view_follows_the_permission_table(tenant, users):
    routes = [(route, view_capability(route.view)) for route in tenant_routes()]
    routes = [(route, cap) for route, cap in routes if cap]
    assert len(routes) > 150, len(routes)  # the sweep really finds the views' capabilities
    problems = []
    for role in Role.values:
        client = TenantClient(tenant)
        client.force_login(users[role])
        for route, capability in routes:
            allowed = role in CAPABILITIES[capability][0]
            status = client.get(route.url).status_code
            if status == 405:  # a POST-only action: the permission check comes before the form
                status = client.post(route.url).status_code
            if allowed and (status == 403 or status >= 500):
                problems.append(f"{role} GET {route.url} needs {capability}: got {status}")
            if not allowed and status != 403:
                problems.append(f"{role} GET {route.url} lacks {capability}: got {status}")
    assert problems == [], "\n".join(problems)
