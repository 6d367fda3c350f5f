"""Rate limits (sign-in, password reset, sign-up, exports), lockout with an email to the user,
and the password policy (length + Django's bundled common-password list, no network)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError

from apps.accounts.models import Role
from apps.tenants.models import Tenant
from tests.conftest import PASSWORD, TenantClient


@pytest.fixture(autouse=True)
def _clear_counters():
    cache.clear()
    yield
    cache.clear()


def login(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_lockout_emails_the_user_once_and_refuses_even_the_right_password(
    tenant_client, users, settings
):
    email = users[Role.CLERK].email
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 2):
        login(tenant_client, email, "wrong-password-here")
    locked = [m for m in mail.outbox if "sign-in locked" in m.subject]
    assert len(locked) == 1 and locked[0].to == [email]
    assert "127.0.0.1" in locked[0].body and "two-factor" in locked[0].body
    response = login(tenant_client, email, PASSWORD)
    assert b"Too many failed login attempts" in response.content
    assert tenant_client.get("/").status_code == 302  # not signed in


def test_unknown_address_locks_without_email(tenant_client, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 1):
        login(tenant_client, "nobody@alpha.test", "wrong-password-here")
    assert not [m for m in mail.outbox if "sign-in locked" in m.subject]


def test_one_ip_cannot_spray_many_addresses(tenant_client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "5/60s/ip"}
    statuses = [
        login(tenant_client, f"guess{i}@alpha.test", "wrong-password-here").status_code
        for i in range(7)
    ]
    assert statuses[:5] == [200] * 5
    assert statuses[-1] == 429


def test_password_reset_is_rate_limited(tenant_client, users, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "reset_password": "3/60s/ip",
    }
    statuses = [
        tenant_client.post(
            "/accounts/password/reset/", {"email": users[Role.CLERK].email}
        ).status_code
        for _ in range(5)
    ]
    assert statuses[-1] == 429
    assert statuses.count(429) == 2


def test_exports_are_rate_limited_per_user(tenant, users, settings):
    settings.SECURITY_RATE_LIMITS = {
        **settings.SECURITY_RATE_LIMITS,
        "export": {**settings.SECURITY_RATE_LIMITS["export"], "rate": "3/600s"},
    }
    client = TenantClient(tenant)
    client.force_login(users[Role.OWNER])
    statuses = [client.get("/data/export/products.csv").status_code for _ in range(4)]
    assert statuses[:3] == [200] * 3, statuses
    assert statuses[3] == 429
    refused = client.get("/data/export/products.csv")
    assert b"Too many requests" in refused.content and refused["Retry-After"] == "600"
    # Another person is not affected; pages that are not exports are not counted.
    other = TenantClient(tenant)
    other.force_login(users[Role.MANAGER])
    assert other.get("/data/export/products.csv").status_code == 200
    assert client.get("/products/").status_code == 200


def test_company_signup_is_rate_limited_per_ip(public_client, settings):
    settings.SECURITY_RATE_LIMITS = {
        **settings.SECURITY_RATE_LIMITS,
        "signup": {**settings.SECURITY_RATE_LIMITS["signup"], "rate": "2/3600s"},
    }
    bad = {"company_name": "", "subdomain": "", "email": "x", "password": "x"}
    statuses = [public_client.post("/signup/", bad).status_code for _ in range(3)]
    assert statuses[:2] == [422, 422]
    assert statuses[2] == 429
    assert public_client.get("/signup/").status_code == 200  # the page itself still shows
    assert not Tenant.objects.filter(name="").exists()


@pytest.mark.parametrize(
    "password, reason",
    [
        ("short-1", "too short"),
        ("password1234", "too common"),
        ("qwertyuiop", "too common"),
        ("1234567890123", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused_in_words(password, reason):
    with pytest.raises(ValidationError) as info:
        validate_password(password)
    assert reason in " ".join(info.value.messages)


def test_a_long_uncommon_password_is_accepted(in_tenant):
    validate_password("amber-lantern-forty-two")


def test_common_password_list_is_bundled_offline():
    from django.contrib.auth.password_validation import CommonPasswordValidator

    validator = CommonPasswordValidator()
    assert len(validator.passwords) > 10_000
    assert str(validator.DEFAULT_PASSWORD_LIST_PATH).endswith("common-passwords.txt.gz")


def test_team_member_cannot_choose_a_common_password(tenant_client, users):
    """The change-password page applies the same policy."""
    tenant_client.force_login(users[Role.CLERK])
    response = tenant_client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "password1234", "password2": "password1234"},
    )
    assert response.status_code == 200
    assert b"too common" in response.content
