from apps.accounts.models import Role
from apps.tenants.models import Tenant


def test_tenant_subdomain_serves_its_dashboard_to_its_user(tenant_client, users):
    tenant_client.force_login(users[Role.CLERK])
    response = tenant_client.get("/")
    assert response.status_code == 200
    assert b"Alpha Supplies" in response.content


def test_unknown_host_gets_friendly_404_page(client, db):
    response = client.get("/", HTTP_HOST="nosuchcompany.localhost")
    assert response.status_code == 404
    assert b"nosuchcompany.localhost" in response.content


def test_suspended_tenant_shows_suspended_page(tenant_client, tenant, users):
    Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.SUSPENDED)
    response = tenant_client.get("/")
    assert response.status_code == 403
    assert b"suspended" in response.content.lower()


def test_anonymous_user_is_sent_to_login(tenant_client):
    response = tenant_client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_activity_is_recorded_at_most_every_few_minutes(
    tenant_client, tenant, users, django_assert_num_queries
):
    from django.core.cache import cache

    cache.clear()
    tenant_client.force_login(users[Role.CLERK])
    tenant_client.get("/")
    tenant.refresh_from_db()
    first = tenant.last_activity_at
    assert first is not None
    tenant_client.get("/")
    tenant.refresh_from_db()
    assert tenant.last_activity_at == first  # gated: no second write within the window


def test_operator_lands_in_the_console_after_signing_in(public_client, staff_user):
    from tests.conftest import PASSWORD

    response = public_client.post(
        "/accounts/login/", {"login": staff_user.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/console/"
