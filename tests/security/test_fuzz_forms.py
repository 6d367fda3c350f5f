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


def _row_total() -> dict[str, int]:
    models = [m for m in apps.get_models() if m._meta.db_table and not m._meta.proxy]
    tenant_tables = {
        t for t in connection.introspection.table_names() if t not in ("django_migrations",)
    }
    return {
        model._meta.db_table: model._default_manager.count()
        for model in models
        if model._meta.db_table in tenant_tables and model._meta.managed
    }


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
        written = {t: after[t] - before.get(t, 0) for t in after if after[t] != before.get(t, 0)}
        with schema_context(tenant.schema_name):
            from apps.audit.models import AuditEvent

            # Security events (a failed sign-in, an export) record the attempt itself: that is
            # the audit log doing its job, not the form writing data.
            recorded = list(AuditEvent.objects.order_by("-pk").values_list("action", "table_name"))
        new_events = recorded[: written.get("audit_auditevent", 0)]
        if all(action not in ("create", "update", "delete") for action, _ in new_events):
            written.pop("audit_auditevent", None)
        else:
            written["audit_auditevent"] = new_events
        if write_nothing and written:
            problems.append(f"{label}: rows written {written}")
    assert problems == [], "\n".join(problems)
