"""Writes through the API are attributed to the API key; two-factor changes are logged."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.models import ApiKey
from apps.audit.models import AuditEvent
from apps.audit.tracked import TRACKED
from tests.accounts.test_mfa import activate_totp, sign_in
from tests.api.conftest import Api, key_for


def test_an_api_write_is_attributed_to_the_key_and_its_owner(tenant, tenant_client, users):
    raw = key_for(tenant, users["manager"], ["catalog:write"])
    api = Api(tenant_client, HTTP_AUTHORIZATION=f"Api-Key {raw}", REMOTE_ADDR="198.51.100.20")
    response = api.post("/api/suppliers/", {"name": "Via API", "currency": "USD"})
    assert response.status_code == 201, response.content
    with schema_context(tenant.schema_name):
        event = AuditEvent.objects.get(table_name="catalog_supplier", action="create")
    assert event.actor_kind == "api_key"
    assert event.actor_id == str(users["manager"].pk)
    with schema_context(tenant.schema_name):
        prefix = ApiKey.objects.get().prefix
    assert event.actor_label == f"manager@alpha.test (API key {prefix}…)"
    assert event.ip == "198.51.100.20"


def test_turning_on_two_factor_is_a_security_event(
    tenant_client, tenant, owner, django_capture_on_commit_callbacks
):
    sign_in(tenant_client, owner)
    with django_capture_on_commit_callbacks(execute=True):  # allauth signals on commit
        activate_totp(tenant_client)
    with schema_context(tenant.schema_name):
        events = list(AuditEvent.objects.filter(action="mfa_change"))
    assert sorted(e.changes["added"][1] for e in events) == ["recovery_codes", "totp"]
    assert {(e.actor_id, e.record_pk) for e in events} == {(str(owner.pk), str(owner.pk))}


def test_every_tracked_table_of_a_company_has_the_trigger(in_tenant):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname = 'audit_record_change'"
            " AND c.relnamespace = current_schema()::regnamespace"
        )
        attached = {row[0] for row in cursor.fetchall()}
    assert attached == {t.table for t in TRACKED}


def test_two_factor_rows_are_audited_with_the_secret_hidden(
    tenant_client, tenant, owner, django_capture_on_commit_callbacks
):
    sign_in(tenant_client, owner)
    activate_totp(tenant_client)
    with schema_context(tenant.schema_name):
        event = AuditEvent.objects.filter(table_name="mfa_authenticator", action="create").first()
    assert event.changes["data"] == [None, "(hidden)"]
    assert event.actor_id == str(owner.pk)
