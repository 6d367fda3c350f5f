"""The audit log pages: owners only, search, CSV export, timelines, retention, isolation."""

from __future__ import annotations

import csv
import io

import pytest
from django_tenants.utils import schema_context

from apps.audit.models import AuditEvent, AuditSettings
from apps.catalog.models import Supplier
from apps.catalog.services import supplier_create
from tests.conftest import make_user


@pytest.fixture
def owner_client(tenant_client, users):
    tenant_client.force_login(users["owner"])
    return tenant_client


def suppliers(tenant, n, prefix="Supplier"):
    with schema_context(tenant.schema_name):
        return [supplier_create(name=f"{prefix} {i}", currency="USD") for i in range(n)]


@pytest.mark.parametrize("role", ["manager", "clerk", "viewer"])
def test_only_owners_see_the_audit_log(tenant_client, users, role):
    tenant_client.force_login(users[role])
    assert tenant_client.get("/audit/").status_code == 403
    assert tenant_client.get("/audit/export.csv").status_code == 403
    assert tenant_client.get("/audit/record/catalog_supplier/1/").status_code == 403


def test_anonymous_is_sent_to_sign_in(tenant_client):
    response = tenant_client.get("/audit/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_log_lists_changes_with_a_fixed_query_count(
    owner_client, tenant, django_assert_max_num_queries
):
    suppliers(tenant, 1)
    with django_assert_max_num_queries(14):
        one = owner_client.get("/audit/")
    assert one.status_code == 200 and "Supplier 0" in one.content.decode()
    suppliers(tenant, 60, prefix="More")
    with django_assert_max_num_queries(14):
        many = owner_client.get("/audit/?sort=when&table=catalog_supplier")
    body = many.content.decode()
    # The 61 supplier creations fill a second page (browser tests may have committed other
    # events to this company, so the page counts this test's table only).
    assert many.status_code == 200 and "Page 1 of 2" in body


def test_log_filters_by_user_model_action_and_date(owner_client, tenant, users):
    (acme,) = suppliers(tenant, 1, prefix="Acme")
    with schema_context(tenant.schema_name):
        Supplier.objects.filter(pk=acme.pk).update(phone="555-0100")
    body = owner_client.get("/audit/?table=catalog_supplier&action=update").content.decode()
    assert "555-0100" in body and "Changed" in body
    assert "Acme 0" not in body  # the create event is filtered out
    none = owner_client.get("/audit/?user=nobody@example.test").content.decode()
    assert "No events match" in none
    future = owner_client.get("/audit/?from=2999-01-01").content.decode()
    assert "No events match" in future
    today = owner_client.get("/audit/?q=555-0100").content.decode()
    assert "555-0100" in today


def test_bad_filter_values_never_fail(owner_client):
    response = owner_client.get("/audit/?from=yesterday&to=99-99&action=hack&page=x&sort=zzz")
    assert response.status_code == 200


def test_htmx_search_returns_only_the_table(owner_client, tenant):
    suppliers(tenant, 1)
    response = owner_client.get(
        "/audit/?table=catalog_supplier", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="audit-table"
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="audit-table"' in body and "<html" not in body


def test_csv_export_has_one_row_per_changed_field_and_is_itself_logged(owner_client, tenant):
    (acme,) = suppliers(tenant, 1, prefix="Acme")
    with schema_context(tenant.schema_name):
        Supplier.objects.filter(pk=acme.pk).update(phone="555-0100")
    response = owner_client.get("/audit/export.csv?table=catalog_supplier&action=update")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["When (UTC)", "Action", "Record type"]
    assert [r[1:8] for r in rows[1:]] == [
        ["Changed", "Supplier", "catalog_supplier", str(acme.pk), "phone", "", "555-0100"]
    ]
    with schema_context(tenant.schema_name):
        export = AuditEvent.objects.get(action="export")
    assert "/audit/export.csv" in export.changes["path"][1]
    assert export.actor_label == "owner@alpha.test"


def test_record_timeline_shows_the_history_of_one_record(owner_client, tenant):
    (acme,) = suppliers(tenant, 1, prefix="Acme")
    with schema_context(tenant.schema_name):
        Supplier.objects.filter(pk=acme.pk).update(email="sales@acme.test")
    body = owner_client.get(f"/audit/record/catalog_supplier/{acme.pk}/").content.decode()
    assert "sales@acme.test" in body and "Created" in body and "Changed" in body
    # A record with no history here (another company's id, or none at all) is not found.
    assert owner_client.get("/audit/record/catalog_supplier/999999/").status_code == 404


def test_a_request_records_who_and_from_where(owner_client, tenant):
    response = owner_client.post(
        "/audit/settings/",
        {"retention_days": "365"},
        REMOTE_ADDR="198.51.100.7",
        HTTP_USER_AGENT="Firefox/140",
    )
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        assert AuditSettings.current().retention_days == 365
        event = AuditEvent.objects.filter(table_name="audit_auditsettings").latest("id")
    assert event.changes["retention_days"][1] == 365
    assert (event.actor_label, event.ip, event.user_agent) == (
        "owner@alpha.test",
        "198.51.100.7",
        "Firefox/140",
    )


def test_retention_outside_the_allowed_range_is_refused_in_words(owner_client, tenant):
    response = owner_client.post("/audit/settings/", {"retention_days": "3"})
    assert response.status_code == 400
    assert "greater than or equal to 30" in response.content.decode()
    with schema_context(tenant.schema_name):
        assert AuditSettings.current().retention_days == 730


def test_another_company_never_sees_this_log(tenant, other_tenant, other_tenant_client):
    suppliers(tenant, 1, prefix="Alpha secret")
    beta_owner = make_user(other_tenant, "owner")
    other_tenant_client.force_login(beta_owner)
    body = other_tenant_client.get("/audit/?q=Alpha").content.decode()
    assert "Alpha secret" not in body
    with schema_context(tenant.schema_name):
        pk = AuditEvent.objects.filter(table_name="catalog_supplier").latest("id").record_pk
    timeline = other_tenant_client.get(f"/audit/record/catalog_supplier/{pk}/").content.decode()
    assert "Alpha secret" not in timeline
    export = other_tenant_client.get("/audit/export.csv")
    assert b"Alpha secret" not in b"".join(export.streaming_content)


def test_record_timeline_has_a_fixed_query_count(
    owner_client, tenant, django_assert_max_num_queries
):
    (acme,) = suppliers(tenant, 1, prefix="Acme")
    url = f"/audit/record/catalog_supplier/{acme.pk}/"
    with django_assert_max_num_queries(12):
        assert owner_client.get(url).status_code == 200
    with schema_context(tenant.schema_name):
        for i in range(60):
            Supplier.objects.filter(pk=acme.pk).update(phone=str(i))
    with django_assert_max_num_queries(12):
        body = owner_client.get(url).content.decode()
    assert "Page 1 of 2" in body and "59" in body
