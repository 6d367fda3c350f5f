import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import ApiKey, Role
from apps.accounts.services.api_keys import api_key_create, api_key_revoke, api_key_rotate
from apps.accounts.services.errors import AccountError
from tests.api.conftest import Api, key_for
from tests.conftest import PASSWORD


def test_no_credentials_is_401_with_the_error_shape(tenant_client):
    response = Api(tenant_client).get("/api/inventory/stock-items/")
    assert response.status_code == 401
    assert response.json_body["error"]["code"] == "not_authenticated"
    assert set(response.json_body["error"]) >= {"code", "message", "fields"}


def test_api_key_works_and_is_stored_only_as_a_hash(tenant, users, tenant_client):
    with schema_context(tenant.schema_name):
        key, raw = api_key_create(
            name="ERP sync", scopes=["inventory:read"], created_by=users[Role.MANAGER]
        )
        assert raw.startswith("srk_") and raw not in key.key_hash and key.prefix in raw
    api = Api(tenant_client, HTTP_X_API_KEY=raw)
    assert api.get("/api/inventory/stock-items/").status_code == 200
    with schema_context(tenant.schema_name):
        key.refresh_from_db()
        assert key.last_used_at is not None
    # The versioned address is the same operation.
    assert api.get("/api/v1/inventory/stock-items/").status_code == 200


def test_scopes_limit_what_a_key_does(api_as, tenant):
    reader = api_as(Role.OWNER, ["inventory:read"])
    assert reader.get("/api/warehouses/").status_code == 200
    denied = reader.post("/api/warehouses/", {"code": "W2", "name": "Second"})
    assert denied.status_code == 403
    assert "inventory:write" in denied.json_body["error"]["message"]


def test_the_role_still_applies_to_a_key(api_as):
    clerk = api_as(Role.CLERK, ["inventory:write"])
    response = clerk.post("/api/warehouses/", {"code": "W3", "name": "Third"})
    assert (
        response.status_code == 403
        and "inventory.manage_warehouses" in response.json_body["error"]["message"]
    )


def test_revoked_expired_and_rotated_keys(tenant, users, tenant_client):
    with schema_context(tenant.schema_name):
        key, raw = api_key_create(name="k", scopes=["inventory:read"], created_by=users[Role.OWNER])
        new_key, new_raw = api_key_rotate(key=key, by=users[Role.OWNER])
        assert new_key.scopes == ["inventory:read"]
        with pytest.raises(AccountError, match="future"):
            api_key_create(
                name="old",
                scopes=["inventory:read"],
                created_by=users[Role.OWNER],
                expires_at=timezone.now(),
            )
        with pytest.raises(AccountError, match="Unknown scope"):
            api_key_create(name="x", scopes=["everything"], created_by=users[Role.OWNER])
    assert Api(tenant_client, HTTP_X_API_KEY=raw).get("/api/warehouses/").status_code == 401
    assert Api(tenant_client, HTTP_X_API_KEY=new_raw).get("/api/warehouses/").status_code == 200
    with schema_context(tenant.schema_name):
        api_key_revoke(key=ApiKey.objects.get(pk=new_key.pk))
    assert Api(tenant_client, HTTP_X_API_KEY=new_raw).get("/api/warehouses/").status_code == 401


def test_a_key_of_another_company_is_unknown_here(
    other_tenant, other_tenant_client, api_as, tenant_client, users
):
    api = api_as(Role.OWNER)
    other = Api(other_tenant_client, HTTP_AUTHORIZATION=api.headers["HTTP_AUTHORIZATION"])
    assert other.get("/api/warehouses/").status_code == 401


def test_jwt_login_refresh_rotation_and_logout(tenant_client, users):
    api = Api(tenant_client)
    email = users[Role.CLERK].email
    assert api.post("/api/auth/login/", {"email": email, "password": "wrong"}).status_code == 401
    tokens = api.post("/api/auth/login/", {"email": email, "password": PASSWORD}).json_body
    bearer = Api(tenant_client, HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert bearer.get("/api/inventory/stock-items/").status_code == 200
    rotated = api.post("/api/auth/refresh/", {"refresh": tokens["refresh"]})
    assert rotated.status_code == 200 and rotated.json_body["refresh"] != tokens["refresh"]
    # The old refresh token was blacklisted by the rotation.
    assert api.post("/api/auth/refresh/", {"refresh": tokens["refresh"]}).status_code == 401
    assert (
        api.post("/api/auth/logout/", {"refresh": rotated.json_body["refresh"]}).status_code == 204
    )
    assert (
        api.post("/api/auth/refresh/", {"refresh": rotated.json_body["refresh"]}).status_code == 401
    )


def test_a_token_from_another_company_is_refused(tenant_client, other_tenant_client, users):
    tokens = (
        Api(tenant_client)
        .post("/api/auth/login/", {"email": users[Role.OWNER].email, "password": PASSWORD})
        .json_body
    )
    elsewhere = Api(other_tenant_client, HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    response = elsewhere.get("/api/warehouses/")
    assert response.status_code == 401
    assert (
        Api(other_tenant_client)
        .post("/api/auth/refresh/", {"refresh": tokens["refresh"]})
        .status_code
        == 401
    )


def test_login_asks_for_the_totp_code_when_the_person_uses_2fa(tenant, tenant_client, users):
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    user = users[Role.MANAGER]
    secret = "JBSWY3DPEHPK3PXP"
    with schema_context(tenant.schema_name):
        TOTP.activate(user, secret)
    api = Api(tenant_client)
    body = {"email": user.email, "password": PASSWORD}
    missing = api.post("/api/auth/login/", body)
    assert missing.status_code == 401 and missing.json_body["error"]["code"] == "otp_required"
    wrong = api.post("/api/auth/login/", {**body, "otp": "000000"})
    assert wrong.json_body["error"]["code"] == "otp_invalid"
    code = format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))
    assert api.post("/api/auth/login/", {**body, "otp": code}).status_code == 200


def test_register_by_invitation_gives_tokens(
    tenant, tenant_client, users, django_capture_on_commit_callbacks
):
    import re

    from django.core import mail

    from apps.accounts.services.invitations import invitation_create

    with schema_context(tenant.schema_name), django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            tenant=tenant, email="new@alpha.test", role=Role.CLERK, invited_by=users[Role.OWNER]
        )
    raw = re.search(r"/join/([^/\s]+)/", mail.outbox[-1].body).group(1)
    api = Api(tenant_client)
    bad = api.post(
        "/api/auth/register/", {"token": "nope", "full_name": "N", "password": "long-enough-1"}
    )
    assert bad.status_code == 400 and "token" in bad.json_body["error"]["fields"]
    ok = api.post(
        "/api/auth/register/",
        {"token": raw, "full_name": "New Person", "password": "long-enough-1"},
    )
    assert ok.status_code == 201 and "access" in ok.json_body


def test_login_attempts_are_throttled(tenant_client, users, settings):
    settings.API_LOGIN_RATE = "3/min"
    api = Api(tenant_client)
    codes = [
        api.post(
            "/api/auth/login/", {"email": users[Role.OWNER].email, "password": "x"}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_owner_creates_a_key_sees_it_once_and_revokes_it(tenant, tenant_client, users):
    tenant_client.force_login(users[Role.OWNER])
    page = tenant_client.post(
        "/team/api-keys/", {"name": "Scanner app", "scopes": ["inventory:read", "inventory:write"]}
    ).content.decode()
    assert "Copy this key now" in page
    raw = page.split('id="new-key" value="')[1].split('"')[0]
    assert Api(tenant_client, HTTP_X_API_KEY=raw).get("/api/warehouses/").status_code == 200
    again = tenant_client.get("/team/api-keys/").content.decode()
    assert raw not in again and "Scanner app" in again
    with schema_context(tenant.schema_name):
        key = ApiKey.objects.get(name="Scanner app")
    tenant_client.post(f"/team/api-keys/{key.pk}/revoke/")
    assert Api(tenant_client, HTTP_X_API_KEY=raw).get("/api/warehouses/").status_code == 401


def test_key_form_says_what_is_wrong_and_clerks_cannot_open_it(tenant_client, users):
    tenant_client.force_login(users[Role.OWNER])
    response = tenant_client.post("/team/api-keys/", {"name": "", "scopes": []})
    assert response.status_code == 422 and "This field is required" in response.content.decode()
    tenant_client.force_login(users[Role.CLERK])
    assert tenant_client.get("/team/api-keys/").status_code == 403


def test_owner_sees_a_keys_requests_and_errors_per_day(tenant, tenant_client, users):
    import datetime as dt
    import re

    from django.utils import timezone

    from apps.api.models import ApiUsage

    raw = key_for(tenant, users[Role.MANAGER], ["inventory:read"])
    api = Api(tenant_client, HTTP_X_API_KEY=raw)
    assert api.get("/api/warehouses/").status_code == 200
    assert api.get("/api/warehouses/999999/").status_code == 404
    assert api.get("/api/products/").status_code == 403  # no catalog scope: an error too
    with schema_context(tenant.schema_name):
        key = ApiKey.objects.get()
        three_days_ago = timezone.now().date() - dt.timedelta(days=3)
        ApiUsage.objects.create(day=three_days_ago, api_key=key, requests=40, errors=2)
    tenant_client.force_login(users[Role.OWNER])
    page = tenant_client.get(f"/team/api-keys/{key.pk}/usage/")
    assert page.status_code == 200
    html = page.content.decode()
    rows = re.findall(
        r"<td>\w{3} (\d{4}-\d\d-\d\d)</td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>", html
    )
    assert len(rows) == 30
    by_day = {day: (int(r), int(e)) for day, r, e in rows}
    assert by_day[timezone.now().date().isoformat()] == (3, 2)
    assert by_day[three_days_ago.isoformat()] == (40, 2)
    assert list(by_day.values()).count((0, 0)) == 28
    listing = tenant_client.get("/team/api-keys/").content.decode()
    assert f"/team/api-keys/{key.pk}/usage/" in listing
    tenant_client.force_login(users[Role.CLERK])
    assert tenant_client.get(f"/team/api-keys/{key.pk}/usage/").status_code == 403
