"""Record changes are captured by the database, whatever path writes them."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from apps.audit.context import Actor, actor_context
from apps.audit.models import AuditEvent
from apps.catalog.models import Supplier
from apps.catalog.services import supplier_create
from apps.inventory.models import StockMove

CLERK = Actor(kind="user", id="42", label="clerk@alpha.test", ip="203.0.113.9", user_agent="UA/1")


def events(table="catalog_supplier", pk=None):
    qs = AuditEvent.objects.filter(table_name=table).order_by("id")
    return qs.filter(record_pk=str(pk)) if pk is not None else qs


def test_create_records_every_field_with_actor_and_ip(in_tenant):
    with actor_context(CLERK):
        supplier = supplier_create(name="Acme", email="a@acme.test", currency="USD")
    event = events(pk=supplier.pk).get()
    assert event.action == "create"
    assert event.changes["name"] == [None, "Acme"]
    assert event.changes["email"] == [None, "a@acme.test"]
    assert (event.actor_kind, event.actor_id, event.actor_label) == ("user", "42", CLERK.label)
    assert event.ip == "203.0.113.9"
    assert event.user_agent == "UA/1"


def test_queryset_update_is_captured_with_before_and_after(in_tenant):
    supplier = supplier_create(name="Acme", email="a@acme.test", currency="USD")
    with actor_context(CLERK):
        Supplier.objects.filter(pk=supplier.pk).update(email="b@acme.test")
    event = events(pk=supplier.pk).filter(action="update").get()
    assert event.changes == {"email": ["a@acme.test", "b@acme.test"]}
    assert event.actor_label == CLERK.label and event.ip == "203.0.113.9"


def test_bulk_update_is_captured_per_row(in_tenant):
    a = supplier_create(name="A", currency="USD")
    b = supplier_create(name="B", currency="USD")
    a.phone, b.phone = "111", "222"
    with actor_context(CLERK):
        Supplier.objects.bulk_update([a, b], ["phone"])
    updates = events().filter(action="update")
    assert {e.record_pk: e.changes["phone"][1] for e in updates} == {
        str(a.pk): "111",
        str(b.pk): "222",
    }
    assert {e.actor_id for e in updates} == {"42"}


def test_raw_sql_update_and_delete_are_captured(in_tenant):
    supplier = supplier_create(name="Raw", currency="USD")
    with actor_context(CLERK), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalog_supplier SET name = %s WHERE id = %s", ["Raw 2", supplier.pk]
        )
        cursor.execute("DELETE FROM catalog_supplier WHERE id = %s", [supplier.pk])
    update, delete = events(pk=supplier.pk).exclude(action="create")
    assert update.changes == {"name": ["Raw", "Raw 2"]} and update.ip == "203.0.113.9"
    assert delete.action == "delete" and delete.changes["name"] == ["Raw 2", None]
    assert delete.actor_label == CLERK.label


def test_noisy_columns_and_no_op_updates_are_not_logged(in_tenant):
    supplier = supplier_create(name="Quiet", currency="USD")
    Supplier.objects.filter(pk=supplier.pk).update(name="Quiet")
    assert not events(pk=supplier.pk).filter(action="update").exists()


def test_passwords_are_hidden_and_role_change_is_a_security_event(in_tenant, users):
    clerk = users["clerk"]
    with actor_context(CLERK):
        clerk.set_password("another-long-password")
        clerk.role = "manager"
        clerk.save()
    update = events("accounts_user", clerk.pk).filter(action="update").get()
    assert update.changes["password"] == ["(hidden)", "(changed)"]
    assert update.changes["role"] == ["clerk", "manager"]
    permission = events("accounts_user", clerk.pk).filter(action="permission_change").get()
    assert permission.changes == {"role": ["clerk", "manager"]}
    assert permission.actor_id == "42"


def test_without_an_actor_the_change_is_still_logged(in_tenant):
    supplier = supplier_create(name="Nobody", currency="USD")
    event = events(pk=supplier.pk).get()
    assert event.actor_kind == "" and event.who == "System"


def test_actor_is_set_again_after_a_rolled_back_savepoint(in_tenant):
    supplier = supplier_create(name="Again", currency="USD")
    with actor_context(CLERK):
        with pytest.raises(RuntimeError), transaction.atomic():
            Supplier.objects.filter(pk=supplier.pk).update(phone="1")
            raise RuntimeError
        Supplier.objects.filter(pk=supplier.pk).update(phone="2")
    event = events(pk=supplier.pk).filter(action="update").get()
    assert event.changes == {"phone": ["", "2"]}
    assert event.actor_id == "42"


def test_actor_settings_are_cleared_after_the_block(in_tenant):
    with actor_context(CLERK):
        supplier_create(name="Set", currency="USD")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('stockroom.actor_label', true)")
        assert cursor.fetchone()[0] == ""


def test_audit_events_cannot_be_edited(in_tenant):
    supplier_create(name="Fixed", currency="USD")
    with pytest.raises(Exception, match="cannot be changed"), transaction.atomic():
        AuditEvent.objects.update(actor_label="someone else")


def test_stock_ledger_is_not_audited(in_tenant):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE c.relname IN ('inventory_stockmove', 'inventory_stocklevel')"
            " AND t.tgname = 'audit_record_change'"
            " AND c.relnamespace = current_schema()::regnamespace"
        )
        assert cursor.fetchone()[0] == 0
    assert StockMove._meta.db_table == "inventory_stockmove"


def test_each_company_logs_into_its_own_schema(tenant, other_tenant):
    with schema_context(other_tenant.schema_name):
        supplier_create(name="Beta only", currency="USD")
    with schema_context(tenant.schema_name):
        assert not AuditEvent.objects.filter(changes__name=[None, "Beta only"]).exists()
    with schema_context(other_tenant.schema_name):
        assert AuditEvent.objects.filter(changes__name=[None, "Beta only"]).exists()
