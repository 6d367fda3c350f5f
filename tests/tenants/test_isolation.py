"""A user of company A gets nothing of company B: not its pages, its objects, its session or its cache."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django_tenants.cache import make_key
from django_tenants.utils import schema_context

from apps.accounts.models import Role, User
from tests.conftest import TenantClient, make_user


def test_signed_in_user_of_alpha_is_anonymous_on_beta(tenant, other_tenant, users):
    client = TenantClient(tenant)
    client.force_login(users[Role.OWNER])
    assert client.get("/").status_code == 200
    # Same browser, same cookies, other company's host.
    response = client.get("/", HTTP_HOST=f"{other_tenant.slug}.{settings.BASE_DOMAIN}")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert (
        client.get("/team/", HTTP_HOST=f"{other_tenant.slug}.{settings.BASE_DOMAIN}").status_code
        == 302
    )


def test_alpha_session_cookie_replayed_on_beta_is_no_session(tenant, other_tenant, users):
    alpha = TenantClient(tenant)
    alpha.force_login(users[Role.OWNER])
    session_id = alpha.cookies[settings.SESSION_COOKIE_NAME].value
    beta = TenantClient(other_tenant)
    beta.cookies[settings.SESSION_COOKIE_NAME] = session_id
    assert beta.get("/").status_code == 302
    with schema_context(other_tenant.schema_name):
        from django.contrib.sessions.models import Session

        assert not Session.objects.filter(session_key=session_id).exists()


def test_objects_of_alpha_are_not_reachable_by_id_on_beta(tenant, other_tenant, users):
    alpha_clerk = users[Role.CLERK]
    beta_owner = make_user(other_tenant, Role.OWNER, email="boss@beta.test")
    beta = TenantClient(other_tenant)
    beta.force_login(beta_owner)
    with schema_context(other_tenant.schema_name):
        assert not User.objects.filter(pk=alpha_clerk.pk, email=alpha_clerk.email).exists()
    response = beta.get(f"/team/{alpha_clerk.pk}/role/")
    # Either no such user in beta's schema (404) or beta's own user with that id, never alpha's clerk.
    assert alpha_clerk.email.encode() not in response.content
    assert alpha_clerk.email.encode() not in beta.get("/team/").content


def test_the_same_email_can_belong_to_both_companies_separately(tenant, other_tenant):
    make_user(tenant, Role.CLERK, email="shared@example.com")
    make_user(other_tenant, Role.VIEWER, email="shared@example.com")
    with schema_context(tenant.schema_name):
        assert User.objects.get(email="shared@example.com").role == Role.CLERK
    with schema_context(other_tenant.schema_name):
        assert User.objects.get(email="shared@example.com").role == Role.VIEWER


def test_cache_keys_are_prefixed_by_schema(tenant, other_tenant):
    with schema_context(tenant.schema_name):
        cache.set("low-stock-count", 3)
        key_alpha = make_key("low-stock-count", "", 1)
    with schema_context(other_tenant.schema_name):
        assert cache.get("low-stock-count") is None
        key_beta = make_key("low-stock-count", "", 1)
    assert key_alpha != key_beta and tenant.schema_name in key_alpha
    connection.set_schema_to_public()


def test_company_pages_are_not_served_on_the_public_site(public_client, db):
    assert public_client.get("/team/").status_code == 404
    assert public_client.get("/settings/").status_code == 404
