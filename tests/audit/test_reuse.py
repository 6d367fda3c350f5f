"""Pieces other apps reuse: the history link tag and the trigger sync command."""

from __future__ import annotations

from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory

from apps.audit.models import AuditEvent
from apps.catalog.services import supplier_create

TAG = Template('{% load audit %}{% audit_history_link "catalog_supplier" 7 %}')


def render_for(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return TAG.render(Context({"request": request}))


def test_history_link_is_shown_to_owners_only(users):
    assert 'href="/audit/record/catalog_supplier/7/"' in render_for(users["owner"])
    assert "href" not in render_for(users["manager"])


def test_sync_command_reattaches_a_missing_trigger(in_tenant):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER audit_record_change ON catalog_supplier")
    supplier_create(name="Unseen", currency="USD")
    assert not AuditEvent.objects.filter(table_name="catalog_supplier").exists()
    call_command("audit_triggers_sync", stdout=open("/dev/null", "w"))
    connection.set_schema(in_tenant.schema_name)
    supplier_create(name="Seen", currency="USD")
    assert AuditEvent.objects.filter(table_name="catalog_supplier").count() == 1


def test_webhook_requests_are_attributed_to_the_integration():
    from django.contrib.auth.models import AnonymousUser

    from apps.audit.middleware import request_actor

    request = RequestFactory().post("/hooks/shopify/12/", REMOTE_ADDR="203.0.113.1")
    request.user = AnonymousUser()
    actor = request_actor(request)
    assert (actor.kind, actor.label, actor.ip) == (
        "integration",
        "webhook shopify/12/",
        "203.0.113.1",
    )
