from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from apps.accounts.models import Invitation, Role
from apps.tenants.models import ConsoleAction, Tenant
from apps.tenants.services.lifecycle import tenant_schedule_deletion, tenants_purge_expired
from apps.tenants.services.provisioning import tenant_provision
from tests.conftest import TenantClient


@pytest.fixture
def console(public_client, staff_user):
    public_client.force_login(staff_user)
    return public_client


def test_console_needs_a_staff_login(public_client, db):
    assert public_client.get("/console/").status_code == 302


def test_console_refuses_non_staff(public_client, db):
    from apps.accounts.models import User

    someone = User.objects.create_user(email="someone@public.test", password="x-long-passphrase")
    public_client.force_login(someone)
    assert public_client.get("/console/").status_code == 403


def test_console_is_not_on_company_sites(tenant_client, owner):
    tenant_client.force_login(owner)
    assert tenant_client.get("/console/").status_code == 404


def test_console_requires_mfa_when_configured(console, settings):
    settings.CONSOLE_REQUIRE_MFA = True
    response = console.get("/console/")
    assert response.status_code == 302 and "/2fa/totp/activate/" in response["Location"]


def test_console_lists_companies_with_search_and_hides_the_template(console):
    response = console.get("/console/")
    content = response.content.decode()
    assert "Alpha Supplies" in content and "Beta Traders" in content
    assert "tenant_template" not in content and "Template" not in content
    response = console.get("/console/", {"q": "beta"})
    assert (
        "Beta Traders" in response.content.decode()
        and "Alpha Supplies" not in response.content.decode()
    )
    response = console.get("/console/", {"status": "suspended"})
    assert "No company matches" in response.content.decode()


def test_console_list_query_count_is_fixed(console):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert console.get("/console/", {"per_page": 50}).status_code == 200
        return len(ctx.captured_queries)

    queries_for_list()  # warm up: the first request also touches the session
    few = queries_for_list()
    for n in range(30):
        Tenant.objects.create(schema_name=f"ghost{n}", slug=f"ghost{n}", name=f"Ghost {n}")
    assert queries_for_list() == few <= 16
    assert "Ghost 29" in console.get("/console/", {"per_page": 50}).content.decode()


def test_operator_creates_a_company_in_the_background_and_the_owner_is_invited(console, sync_jobs):
    with sync_jobs():
        response = console.post(
            "/console/companies/new/",
            {"company_name": "Delta Depot", "subdomain": "delta", "owner_email": "Dee@Delta.test"},
        )
        assert response.status_code == 200 and "Creating Delta Depot" in response.content.decode()
    tenant = Tenant.objects.get(slug="delta")
    assert tenant.status == Tenant.Status.ACTIVE
    with schema_context(tenant.schema_name):
        assert Invitation.objects.get(email="dee@delta.test").role == Role.OWNER
    # The invitation email is sent when the job's own transaction commits.
    assert mail.outbox[-1].to == ["dee@delta.test"] and "delta.localhost" in mail.outbox[-1].body
    assert ConsoleAction.objects.filter(tenant=tenant, action="create").exists()


def test_operator_suspends_and_reactivates_a_company(console, tenant, owner):
    site = TenantClient(tenant)
    site.force_login(owner)
    response = console.post(
        f"/console/companies/{tenant.pk}/suspend/", {"reason": "Unpaid invoice"}
    )
    assert response.status_code == 302
    page = site.get("/")
    assert page.status_code == 403 and b"Unpaid invoice" in page.content
    console.post(f"/console/companies/{tenant.pk}/reactivate/")
    assert site.get("/").status_code == 200
    assert list(ConsoleAction.objects.filter(tenant=tenant).values_list("action", flat=True)) == [
        "reactivate",
        "suspend",
    ]


def test_suspending_needs_a_reason(console, tenant):
    response = console.post(
        f"/console/companies/{tenant.pk}/suspend/", {"reason": " "}, follow=True
    )
    assert "Say why" in response.content.decode()
    tenant.refresh_from_db()
    assert tenant.status == Tenant.Status.ACTIVE


def test_scheduling_deletion_needs_the_subdomain_typed(console, tenant):
    response = console.post(
        f"/console/companies/{tenant.pk}/delete/",
        {"grace_days": 30, "confirm_slug": "nope"},
        follow=True,
    )
    assert "exactly to confirm" in response.content.decode()
    tenant.refresh_from_db()
    assert tenant.status == Tenant.Status.ACTIVE
    console.post(
        f"/console/companies/{tenant.pk}/delete/", {"grace_days": 30, "confirm_slug": "alpha"}
    )
    tenant.refresh_from_db()
    assert tenant.status == Tenant.Status.CLOSING
    assert timedelta(days=29) < tenant.deletion_scheduled_for - timezone.now() <= timedelta(days=30)


def test_closed_company_is_deleted_only_after_its_grace_period(db):
    doomed = tenant_provision(
        name="Doomed", subdomain="doomed", owner_email="o@doomed.test", owner_password=None
    )
    tenant_schedule_deletion(tenant=doomed, grace_days=7)
    assert tenants_purge_expired(now=timezone.now() + timedelta(days=6)) == []
    assert schema_exists("doomed")
    assert tenants_purge_expired(now=timezone.now() + timedelta(days=8)) == ["doomed"]
    assert not schema_exists("doomed")
    assert not Tenant.objects.filter(slug="doomed").exists()


def test_queue_health_panel_shows_worker_state(console):
    from apps.core.tasks import heartbeat

    assert "Not seen" in console.get("/console/").content.decode()
    heartbeat()
    assert "Running" in console.get("/console/").content.decode()
