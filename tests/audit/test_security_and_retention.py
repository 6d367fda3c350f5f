"""Security events, job attribution and the retention purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.audit.models import AuditEvent, AuditSettings
from apps.audit.services import audit_purge, audit_settings_update
from apps.core.jobs import job_enqueue
from tests.conftest import PASSWORD

_floor = {"id": 0}


@pytest.fixture(autouse=True)
def _events_of_this_test_only(tenant):
    """Browser tests commit sign-ins to the same company; count only this test's events."""
    with schema_context(tenant.schema_name):
        _floor["id"] = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def security_events(tenant, action):
    with schema_context(tenant.schema_name):
        return list(AuditEvent.objects.filter(action=action, id__gt=_floor["id"]).order_by("id"))


def test_sign_in_sign_out_and_failed_sign_in_are_logged(tenant_client, tenant, users):
    owner = users["owner"]
    tenant_client.post(
        "/accounts/login/", {"login": owner.email, "password": "wrong-password"},
        REMOTE_ADDR="192.0.2.5",
    )  # fmt: skip
    (failed,) = security_events(tenant, "login_failed")
    assert failed.actor_label == owner.email and failed.ip == "192.0.2.5"
    tenant_client.post(
        "/accounts/login/", {"login": owner.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.5"
    )
    (login,) = security_events(tenant, "login")
    assert (login.actor_id, login.record_pk, login.ip) == (
        str(owner.pk),
        str(owner.pk),
        "192.0.2.5",
    )
    tenant_client.post("/accounts/logout/")
    (logout,) = security_events(tenant, "logout")
    assert logout.actor_label == owner.email


def test_a_job_is_attributed_to_the_job(tenant, sync_jobs):
    with schema_context(tenant.schema_name), sync_jobs():
        job_enqueue("apps.catalog.services.supplier_create", name="From a job", currency="USD")
    with schema_context(tenant.schema_name):
        event = AuditEvent.objects.get(table_name="catalog_supplier", action="create")
    assert event.changes["name"] == [None, "From a job"]
    assert event.actor_kind == "job" and event.actor_label == "supplier create"


def test_purge_deletes_only_events_older_than_the_retention(in_tenant):
    audit_settings_update(retention_days=30)
    AuditEvent.objects.create(action="login", actor_label="old")
    AuditEvent.objects.create(action="login", actor_label="recent")
    # created_at is set by the database; age one row with raw SQL (UPDATE is refused).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_immutable")
        cursor.execute(
            "UPDATE audit_auditevent SET created_at = %s WHERE actor_label = 'old'",
            [timezone.now() - timedelta(days=31)],
        )
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_immutable")
    assert audit_purge() == 1
    assert list(
        AuditEvent.objects.filter(action="login", actor_label__in=["old", "recent"]).values_list(
            "actor_label", flat=True
        )
    ) == ["recent"]


def test_retention_defaults_to_two_years(in_tenant):
    assert AuditSettings.retention() == 730


def test_purge_is_scheduled_for_every_company():
    from apps.core.management.commands.ensure_schedules import SCHEDULES

    assert any("apps.audit.tasks.audit_log_purge" in args for _, _, args, _, _ in SCHEDULES)


def test_erasing_a_record_history_keeps_the_events_but_drops_the_values(in_tenant):
    from apps.audit.services import audit_history_erase
    from apps.catalog.models import Supplier
    from apps.catalog.services import supplier_create

    supplier = supplier_create(name="Jane Doe Ltd", email="jane@doe.test", currency="USD")
    Supplier.objects.filter(pk=supplier.pk).update(email="j.doe@doe.test", phone="555")
    assert audit_history_erase(table="catalog_supplier", pk=supplier.pk, fields=["email"]) == 2
    create, update = AuditEvent.objects.filter(record_pk=str(supplier.pk)).order_by("id")
    assert create.changes["email"] == [None, "(erased)"]
    assert update.changes == {"email": ["(erased)", "(erased)"], "phone": ["", "555"]}
    # Any other edit of the log is still refused.
    from django.db import transaction

    with pytest.raises(Exception, match="cannot be changed"), transaction.atomic():
        AuditEvent.objects.filter(pk=create.pk).update(actor_label="x")
