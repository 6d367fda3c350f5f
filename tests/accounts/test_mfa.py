import base64
import hashlib
import hmac
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.tenants.models import Tenant
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238 code computed independently of allauth."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


def sign_in(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def activate_totp(client) -> str:
    # allauth asks for the password again before two-factor settings change.
    page = client.get("/accounts/2fa/totp/activate/")
    if page.status_code == 302 and "reauthenticate" in page["Location"]:
        assert client.post(page["Location"], {"password": PASSWORD}).status_code == 302
        page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302, response.content[:2000]
    return secret


def test_totp_activation_stores_the_secret_encrypted_and_login_then_needs_a_code(
    tenant_client, tenant, owner
):
    sign_in(tenant_client, owner)
    secret = activate_totp(tenant_client)
    with schema_context(tenant.schema_name):
        stored = Authenticator.objects.get(user=owner, type=Authenticator.Type.TOTP).data["secret"]
    assert stored != secret and secret not in stored
    assert stored.startswith("enc1:")

    tenant_client.logout()
    response = tenant_client.post("/accounts/login/", {"login": owner.email, "password": PASSWORD})
    assert response.status_code == 302 and "/2fa/authenticate" in response["Location"]
    assert tenant_client.get("/").status_code == 302  # not signed in yet
    response = tenant_client.post(
        "/accounts/2fa/authenticate/",
        {"code": "000000" if totp_code(secret) != "000000" else "111111"},
    )
    assert response.status_code == 200 and b"Incorrect code" in response.content
    response = tenant_client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert tenant_client.get("/").status_code == 200


def test_ten_recovery_codes_each_work_once(tenant_client, tenant, owner):
    sign_in(tenant_client, owner)
    activate_totp(tenant_client)
    page = tenant_client.get("/accounts/2fa/recovery-codes/")
    codes = page.context["unused_codes"]
    assert len(codes) == 10
    tenant_client.logout()

    tenant_client.post("/accounts/login/", {"login": owner.email, "password": PASSWORD})
    assert tenant_client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    tenant_client.logout()
    tenant_client.post("/accounts/login/", {"login": owner.email, "password": PASSWORD})
    response = tenant_client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert response.status_code == 200  # used up
    assert tenant_client.get("/").status_code == 302


def test_company_can_require_mfa_for_everyone(tenant_client, tenant, users):
    Tenant.objects.filter(pk=tenant.pk).update(require_mfa=True)
    sign_in(tenant_client, users[Role.CLERK])
    response = tenant_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    activate_totp(tenant_client)
    assert tenant_client.get("/").status_code == 200


def test_only_the_owner_changes_the_mfa_policy(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.MANAGER])
    assert tenant_client.post("/team/security/", {"require_mfa": "on"}).status_code == 403
    tenant_client.force_login(users[Role.OWNER])
    assert tenant_client.post("/team/security/", {"require_mfa": "on"}).status_code == 302
    tenant.refresh_from_db()
    assert tenant.require_mfa is True
