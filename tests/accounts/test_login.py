import re

import pytest
from django.core import mail
from django.core.cache import cache
from django_tenants.utils import schema_context

from apps.accounts import middleware as account_middleware
from apps.accounts.models import Role
from tests.conftest import PASSWORD, TenantClient, make_user


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def login(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_user_signs_in_by_email_on_their_company_subdomain(tenant_client, users):
    response = login(tenant_client, users[Role.CLERK].email, PASSWORD)
    assert response.status_code == 302
    assert tenant_client.get("/").status_code == 200


def test_wrong_password_is_said_in_words(tenant_client, users):
    response = login(tenant_client, users[Role.CLERK].email, "not-the-password")
    assert response.status_code == 200
    assert b"not correct" in response.content or b"incorrect" in response.content


def test_user_of_one_company_cannot_sign_in_on_another(other_tenant_client, users):
    response = login(other_tenant_client, users[Role.CLERK].email, PASSWORD)
    assert response.status_code == 200  # the form again, not a redirect
    assert other_tenant_client.get("/").status_code == 302


def test_repeated_failures_lock_the_login_with_a_message(tenant_client, users, settings):
    email = users[Role.CLERK].email
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        login(tenant_client, email, "wrong-password")
    response = login(tenant_client, email, PASSWORD)  # even the right password is refused now
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content
    assert tenant_client.get("/").status_code == 302


def test_idle_session_is_signed_out_with_a_message(tenant_client, users, monkeypatch, settings):
    login(tenant_client, users[Role.CLERK].email, PASSWORD)
    start = 1_900_000_000
    monkeypatch.setattr(account_middleware, "_now", lambda: start)
    assert tenant_client.get("/").status_code == 200
    monkeypatch.setattr(
        account_middleware, "_now", lambda: start + settings.SESSION_IDLE_TIMEOUT_SECONDS - 60
    )
    assert tenant_client.get("/").status_code == 200
    monkeypatch.setattr(
        account_middleware, "_now", lambda: start + 2 * settings.SESSION_IDLE_TIMEOUT_SECONDS
    )
    response = tenant_client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert b"signed out after 8 hours" in response.content


def test_password_reset_mail_links_to_the_company_subdomain(tenant_client, users, tenant):
    response = tenant_client.post("/accounts/password/reset/", {"email": users[Role.CLERK].email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert re.search(rf"http://{tenant.slug}\.localhost[:/]", mail.outbox[0].body)


def test_inactive_user_cannot_sign_in(tenant, tenant_client):
    user = make_user(tenant, Role.CLERK, email="gone@alpha.test")
    with schema_context(tenant.schema_name):
        user.is_active = False
        user.save()
    login(tenant_client, "gone@alpha.test", PASSWORD)
    assert TenantClient(tenant).get("/").status_code == 302
