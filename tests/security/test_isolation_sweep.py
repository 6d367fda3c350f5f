"""Isolation sweep: every URL with an id, filled with ids of the other company's objects, is a 404
(or a refusal) for a signed-in owner of this company — pages, partials, exports, files, the API."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from apps.catalog.models import Product, Variant
from apps.core.models import JobProgress
from apps.inventory.models import Location, Warehouse
from tests.security.urlsweep import FOREIGN_ID, FOREIGN_UUID, tenant_routes

ALLOWED = {404, 405}
# A link token (invitation, sign-in hand-off) that is not this company's: "gone" or "sign in".
TOKEN_ALLOWED = {302, 404, 405, 410}


@pytest.fixture
def foreign_objects(other_tenant):
    """Objects in beta whose ids are FOREIGN_ID (none of alpha's objects has that id)."""
    with schema_context(other_tenant.schema_name):
        product = Product.objects.create(pk=FOREIGN_ID, name="Beta secret product")
        Variant.objects.create(pk=FOREIGN_ID, product=product, sku="BETA-SECRET")
        warehouse = Warehouse.objects.create(pk=FOREIGN_ID, code="BETA", name="Beta secret")
        Location.objects.create(pk=FOREIGN_ID, warehouse=warehouse, code="B-SECRET")
    JobProgress.objects.create(
        pk=FOREIGN_UUID,
        schema_name=other_tenant.schema_name,
        label="Beta job",
        func_path="x.y",
        result_url="/reports/files/1/",
    )


def test_routes_are_found_from_the_resolver():
    routes = tenant_routes()
    with_ids = [r for r in routes if r.params]
    assert len(with_ids) > 100, len(with_ids)  # pages, partials and API detail routes


def test_other_company_ids_are_not_found(tenant_client, owner, foreign_objects):
    tenant_client.force_login(owner)
    problems = []
    for route in tenant_routes():
        if not route.params:
            continue
        for method in ("get", "post"):
            response = getattr(tenant_client, method)(route.url)
            body = response.content[:200] if response.status_code != 404 else b""
            allowed = TOKEN_ALLOWED if route.params == ("token",) else ALLOWED
            if response.status_code not in allowed or b"Beta secret" in response.content:
                problems.append(
                    f"{method.upper()} {route.url} ({route.name}) -> "
                    f"{response.status_code} {body!r}"
                )
    assert problems == [], "\n".join(problems)


# Reachable without signing in: sign-in/sign-up/password pages, the hand-off and invitation links,
# inbound webhooks (signed), the API's own auth and schema endpoints, the health check, the
# offline page and the service worker script.
PUBLIC_PREFIXES = (
    "/accounts/",
    "/welcome/",
    "/team/join/",
    "/hooks/",
    "/api/auth/",
    "/api/schema/",
    "/api/docs/",
    "/api/redoc/",
    "/healthz",
    "/offline",
    "/sw.js",  # the service worker script: static code, no data
)


def test_anonymous_visitors_get_nothing(tenant_client, foreign_objects):
    problems = []
    for route in tenant_routes():
        if route.url.startswith(PUBLIC_PREFIXES):
            continue
        response = tenant_client.get(route.url)
        status = response.status_code
        to_login = status == 302 and "/accounts/login/" in response["Location"]
        if not (to_login or status in {401, 403, 404, 405}):
            problems.append(f"GET {route.url} ({route.name}) -> {status}")
    assert problems == [], "\n".join(problems)
