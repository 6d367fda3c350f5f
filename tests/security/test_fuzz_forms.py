"""Form fuzz: every page without an id in its URL (the create/filter/settings forms), posted with
each of its own fields filled with hostile values — huge text, NUL bytes, numbers too big for any
column, injection strings, impossible dates — answers with a page or a clear refusal, never a 500,
and the garbage rounds write no rows."""

from __future__ import annotations

import re

from django.apps import apps
from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from tests.conftest import TenantClient
from tests.security.urlsweep import tenant_routes

HUGE = "A" * 100_000
# (label, value, must_write_nothing)
VALUES = [
    ("huge", HUGE, True),
    ("nul", "abc\x00def", True),
    ("digits", "9" * 60, True),
    ("bad-date", "2026-13-45", True),
    (
        "injection",  # SQL, HTML/script and spreadsheet-formula injection in one string
        "' OR '1'='1'; DROP TABLE catalog_product; -- <script>alert(1)</script> =HYPERLINK(\"x\")",
        False,
    ),
]
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)
SKIP = ("/accounts/logout/", "/api/", "/hooks/", "/welcome/", "/team/join/", "/healthz")


def _row_total() -> int:
    models = [m for m in apps.get_models() if m._meta.db_table and not m._meta.proxy]
    tenant_tables = {
        t for t in connection.introspection.table_names() if t not in ("django_migrations",)
    }
    total = 0
    for model in models:
        if model._meta.db_table in tenant_tables and model._meta.managed:
            total += model._default_manager.count()
    return total


def test_forms_survive_hostile_input(tenant, users):
    client = TenantClient(tenant)
    client.force_login(users[Role.OWNER])
    routes = [r for r in tenant_routes() if not r.params and not r.url.startswith(SKIP)]
    forms = {}
    for route in routes:
        response = client.get(route.url)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            names = {
                n for n in FIELD.findall(response.content.decode()) if n != "csrfmiddlewaretoken"
            }
            if names:
                forms[route.url] = sorted(names)
        elif response.status_code == 405:
            forms[route.url] = ["name", "quantity", "file", "email"]
    assert len(forms) > 30, len(forms)
    problems = []
    for label, value, write_nothing in VALUES:
        with schema_context(tenant.schema_name):
            before = _row_total()
        for url, names in forms.items():
            data = {name: value for name in names if name != "file"}
            response = client.post(url, data)
            if response.status_code >= 500:
                problems.append(f"{label}: POST {url} -> {response.status_code}")
        with schema_context(tenant.schema_name):
            after = _row_total()
        if write_nothing and after != before:
            problems.append(f"{label}: {after - before} rows written")
    assert problems == [], "\n".join(problems)
