"""An owner closes the company: suspended at once, deletion after the grace period, a final
export started, the console can cancel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.privacy.models import CompanyExport, PrivacyRequest
from apps.tenants.models import ConsoleAction, Tenant


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.PRIVACY_EXPORT_ROOT = str(tmp_path / "exports")


def test_closing_needs_the_subdomain_typed(web, tenant):
    response = web.login_as("owner").post("/privacy/close/", {"confirm_slug": "alp"})
    assert response.status_code == 422
    assert "Type “alpha” exactly" in response.content.decode()
    tenant.refresh_from_db()
    assert tenant.status == Tenant.Status.ACTIVE


def test_only_owners_close_the_company(web, tenant):
    assert (
        web.login_as("manager").post("/privacy/close/", {"confirm_slug": "alpha"}).status_code
        == 403
    )
    tenant.refresh_from_db()
    assert tenant.status == Tenant.Status.ACTIVE


def test_owner_closes_the_company_and_the_console_can_cancel(
    web, tenant, public_client, django_capture_on_commit_callbacks, mailoutbox
):
    from apps.accounts.models import User

    with schema_context("public"):  # the sales fixtures leave the connection in alpha
        staff_user = User.objects.create_user(
            email="operator@stockroom.test", password="x-long-passphrase", is_staff=True
        )
        public_client.force_login(staff_user)
    client = web.login_as("owner")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/privacy/close/", {"confirm_slug": "alpha"})
    assert response.status_code == 200 and "is closed" in response.content.decode()
    [email] = mailoutbox
    assert set(email.to) == {"founder@alpha.test", client.users["owner"].email}
    assert "will be deleted on" in email.subject
    tenant.refresh_from_db()
    assert tenant.status == Tenant.Status.CLOSING
    expected = timezone.now() + timedelta(days=30)
    assert abs(tenant.deletion_scheduled_for - expected) < timedelta(minutes=1)
    assert ConsoleAction.objects.filter(tenant=tenant, action="schedule_deletion").exists()
    with schema_context(tenant.schema_name):
        record = PrivacyRequest.objects.get(kind=PrivacyRequest.Kind.COMPANY_CLOSING)
        final = CompanyExport.objects.get()
        assert record.detail["final_export"] == str(final.token)
    # locked out at once
    assert client.get("/").status_code == 403

    public_client.post(f"/console/companies/{tenant.pk}/reactivate/")
    tenant.refresh_from_db()
    assert tenant.status == Tenant.Status.ACTIVE and tenant.deletion_scheduled_for is None


def test_after_the_grace_period_the_schema_is_dropped_and_logged(db):
    from django_tenants.utils import schema_exists

    from apps.accounts.models import User
    from apps.tenants.services.provisioning import tenant_provision
    from apps.tenants.tasks import purge_closed_tenants
    from tests.conftest import TenantClient

    company = tenant_provision(
        name="Closing Co", subdomain="closing-co", owner_email="boss@closing.test",
        owner_password="correct-horse-battery",
    )  # fmt: skip
    client = TenantClient(company)
    with schema_context(company.schema_name):
        owner = User.objects.get(email="boss@closing.test")
    client.force_login(owner)
    assert client.post("/privacy/close/", {"confirm_slug": "closing-co"}).status_code == 200
    assert purge_closed_tenants() == []  # still in the grace period
    Tenant.objects.filter(pk=company.pk).update(
        deletion_scheduled_for=timezone.now() - timedelta(minutes=1)
    )
    from django.db import connection

    # In production the purge runs in its own transaction; here the deferred FK checks of
    # this test's writes must fire before the schema's tables can be dropped.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert purge_closed_tenants() == ["closing-co"]
    assert not schema_exists("closing_co")
    assert ConsoleAction.objects.filter(action="delete", detail__contains="closing-co").exists()
