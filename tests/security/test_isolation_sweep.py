"""Isolation sweep: every URL with an id, filled with ids of the other company's objects, is a 404
(or a refusal) for a signed-in owner of this company — pages, partials, exports, files, the API."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urlsplit

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.http import int_to_base36
from django_tenants.utils import schema_context
from PIL import Image

from apps.accounts.models import Invitation, Role, User
from apps.accounts.services.invitations import token_hash
from apps.catalog.models import ProductImage
from apps.core.models import JobProgress
from apps.importexport.models import ImportBatch
from apps.integrations.models import Connection
from apps.inventory.models import Transfer
from apps.inventory.warehousing import warehouse_create
from apps.notifications.models import Notification
from apps.privacy.company_export import export_path
from apps.privacy.models import CompanyExport
from apps.reports.models import ReportFile
from apps.reports.storage import report_storage
from apps.sales.models import ExchangeRate
from apps.tenants.services.handoff import handoff_url
from tests.conftest import TenantClient
from tests.security.foreign import (
    FOREIGN_CURRENCY,
    INVITATION_TOKEN,
    ForeignObjects,
    id_params,
    route_models,
    route_values,
)
from tests.security.urlsweep import FOREIGN_ID, FOREIGN_UUID, tenant_routes

ALLOWED = {404, 405}
# A link (invitation, sign-in hand-off, email confirmation, password reset) made in the other
# company may also answer "gone" (410), "sign in" or allauth's "this link is invalid" page.


@pytest.fixture
def foreign_objects(other_tenant):
    """For every model an id in a tenant URL refers to, a row in beta with the URL's key (none of
    alpha's rows has it). Returns the per-route URL values (uuid keys, tokens)."""
    routes = tenant_routes()
    wanted = {model for route in routes for model in route_models(route).values()}
    soon = timezone.now() + dt.timedelta(days=7)
    schema = other_tenant.schema_name
    with schema_context(schema):
        photo = default_storage.save(f"products/{FOREIGN_ID}/beta-secret.png", ContentFile(_png()))
    overrides = {
        ProductImage: {"image": photo, "thumbnail": photo},
        User: {"email": "secret-owner@beta.test", "role": Role.OWNER, "is_active": True},
        Invitation: {"token_hash": token_hash(INVITATION_TOKEN), "expires_at": soon},
        Connection: {"provider": "shopify", "name": "Beta secret shop"},
        ImportBatch: {"kind": "products"},
        Transfer: {  # between two warehouses
            "destination": lambda made: warehouse_create(code="BETA-2", name="Beta 2")
        },
        Notification: {"in_app": True},
        ReportFile: {
            "status": ReportFile.Status.READY,
            "report_slug": "stock-on-hand",
            "fmt": "csv",
            "path": "beta-secret.csv",
            "expires_at": soon,
        },
        EmailAddress: {"email": "secret-owner@beta.test", "verified": False},
        CompanyExport: {"token": FOREIGN_UUID, "state": CompanyExport.State.READY},
        JobProgress: {"schema_name": schema, "label": "Beta job", "func_path": "x.y"},
        ExchangeRate: {"currency": FOREIGN_CURRENCY},
    }
    with schema_context(schema):
        made = ForeignObjects(overrides)
        for model in sorted(wanted, key=lambda m: m._meta.label):
            made.get(model)
        user = made.get(User)
        user.set_password("beta-secret-password")
        user.save()
        storage = report_storage()
        storage.delete("beta-secret.csv")
        storage.save("beta-secret.csv", ContentFile(b"sku,on_hand\nBETA-SECRET,1\n"))
        export = export_path(made.get(CompanyExport))
        export.parent.mkdir(parents=True, exist_ok=True)
        export.write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty ZIP
        handoff = urlsplit(handoff_url(tenant=other_tenant, user_id=user.pk)).path
        reset_key = default_token_generator.make_token(user)
        confirm_key = EmailConfirmationHMAC(made.get(EmailAddress)).key
    values = route_values(routes)
    values["tenant_handoff"] = {"token": handoff.rstrip("/").rsplit("/", 1)[-1]}
    values["account_reset_password_from_key"] = {
        "uidb36": int_to_base36(FOREIGN_ID),
        "key": reset_key,
    }
    values["account_confirm_email"] = {"key": confirm_key}
    yield values
    with schema_context(schema):
        default_storage.delete(photo)
        report_storage().delete("beta-secret.csv")
        export.unlink(missing_ok=True)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_routes_are_found_from_the_resolver():
    routes = tenant_routes()
    with_ids = [r for r in routes if r.params]
    assert len(with_ids) > 130, len(with_ids)  # pages, partials and API detail routes
    api_details = [r for r in with_ids if r.url.startswith("/api/") and "pk" in r.params]
    assert len(api_details) > 20, [r.url for r in api_details]  # the router's regex routes


def test_every_id_in_a_url_has_a_foreign_object():
    """A new view with an id in its URL must say which model it looks up (tests/security/
    foreign.py, ROUTE_OBJECTS), or the sweep would pass for it without proving anything."""
    missing = []
    for route in tenant_routes():
        mapped = route_models(route)
        for param in id_params(route):
            if param not in mapped:
                missing.append(f"{route.url} ({route.name or route.view}): {param}")
    assert missing == [], "Add these to ROUTE_OBJECTS in tests/security/foreign.py:\n" + (
        "\n".join(missing)
    )


def _link_route(route) -> bool:
    return (
        "token" in route.params
        or "uidb36" in route.params
        or route.name == ("account_confirm_email")
    )


def _refused_link(response) -> bool:
    """allauth answers a bad email-confirmation or password-reset link with a 200 page that says
    so (``confirmation`` is None / ``token_fail``), not with a 404."""
    context = response.context
    if response.status_code != 200 or context is None:
        return False
    keys = context.keys() if hasattr(context, "keys") else set()
    return bool(context.get("token_fail")) or (
        "confirmation" in keys and context.get("confirmation") is None
    )


def _request(client, method: str, url: str):
    # Each request in a savepoint rolled back afterwards, so a POST (delete, revoke) to one
    # route never removes the object the next route needs.
    with transaction.atomic():
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    return response


def test_other_company_ids_are_not_found(tenant_client, owner, foreign_objects):
    tenant_client.force_login(owner)
    problems = []
    for route in tenant_routes(foreign_objects):
        if not route.params:
            continue
        for method in ("get", "post"):
            response = _request(tenant_client, method, route.url)
            status = response.status_code
            body = response.content[:200] if status != 404 else b""
            allowed = status in ALLOWED
            if _link_route(route):
                to_login = status == 302 and "/accounts/login/" in response.get("Location", "")
                allowed = allowed or status == 410 or to_login or _refused_link(response)
            if not allowed or b"Beta secret" in response.content:
                problems.append(f"{method.upper()} {route.url} ({route.name}) -> {status} {body!r}")
    assert problems == [], "\n".join(problems)


def test_the_same_urls_work_in_the_other_company(other_tenant, foreign_objects):
    """The control: beta's owner reaches the very URLs alpha was refused, so alpha's 404 means
    "not yours", not "no such page". GET first; POST-only actions are posted to (empty forms)."""
    with schema_context(other_tenant.schema_name):
        beta_owner = User.objects.get(pk=FOREIGN_ID)
    client = TenantClient(other_tenant)
    client.force_login(beta_owner)
    with schema_context(other_tenant.schema_name):
        # Signing in changed last_login, which a password reset key is made from.
        beta_owner.refresh_from_db()
        reset = foreign_objects["account_reset_password_from_key"]
        reset["key"] = default_token_generator.make_token(beta_owner)
    checked, problems = 0, []
    for route in tenant_routes(foreign_objects):
        if not id_params(route):
            continue
        response = _request(client, "get", route.url)
        if response.status_code == 405:
            response = _request(client, "post", route.url)
        checked += 1
        status = response.status_code
        to_login = status == 302 and "/accounts/login/" in response.get("Location", "")
        if status == 404 or to_login or status >= 500 or _refused_link(response):
            problems.append(f"{route.url} ({route.name}) -> {status}")
    assert checked > 120, checked
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
