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
