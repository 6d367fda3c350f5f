import re

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import Invitation, Role, User
from apps.accounts.services.errors import AccountError
from apps.accounts.services.invitations import invitation_create
from apps.accounts.services.users import user_change_role, user_set_active
from tests.conftest import TenantClient, make_user


def invite(client, email="new.person@example.com", role=Role.CLERK):
    return client.post("/team/invite/", {"email": email, "role": role})


def accept_url_from_mail() -> str:
    match = re.search(r"https?://\S+/team/join/\S+/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0)


def test_everyone_sees_the_team_but_only_managers_see_invite(tenant_client, users):
    tenant_client.force_login(users[Role.VIEWER])
    response = tenant_client.get("/team/")
    assert response.status_code == 200
    assert users[Role.OWNER].email.encode() in response.content
    assert b"Invite someone" not in response.content
    tenant_client.force_login(users[Role.MANAGER])
    assert b"Invite someone" in tenant_client.get("/team/").content


def test_team_search_narrows_the_list(tenant_client, users):
    tenant_client.force_login(users[Role.OWNER])
    response = tenant_client.get("/team/", {"q": "viewer@"})
    assert users[Role.VIEWER].email.encode() in response.content
    assert users[Role.CLERK].email.encode() not in response.content


def test_team_list_query_count_does_not_grow_with_people(
    tenant_client, tenant, users, django_assert_max_num_queries
):
    tenant_client.force_login(users[Role.OWNER])
    tenant_client.get("/team/")
    for n in range(30):
        make_user(tenant, Role.CLERK, email=f"extra{n}@alpha.test")
    with django_assert_max_num_queries(12):
        response = tenant_client.get("/team/", {"per_page": 50})
    assert b"extra29@alpha.test" in response.content


def test_clerk_cannot_invite_or_change_roles(tenant_client, users):
    tenant_client.force_login(users[Role.CLERK])
    assert invite(tenant_client).status_code == 403
    assert (
        tenant_client.post(
            f"/team/{users[Role.VIEWER].pk}/role/", {"role": Role.MANAGER}
        ).status_code
        == 403
    )


def test_invitation_flow_creates_the_user_with_the_role(
    tenant_client, tenant, users, django_capture_on_commit_callbacks
):
    tenant_client.force_login(users[Role.MANAGER])
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(tenant_client, "jo@example.com", Role.CLERK)
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["jo@example.com"]
    url = accept_url_from_mail()
    assert url.startswith(f"http://{tenant.slug}.localhost")
    path = url.split("localhost", 1)[1].split("/", 1)[1]

    visitor = TenantClient(tenant)
    page = visitor.get("/" + path)
    assert page.status_code == 200 and b"jo@example.com" in page.content
    bad = visitor.post("/" + path, {"full_name": "Jo", "password": "abc", "password_again": "abc"})
    assert bad.status_code == 422 and b"too short" in bad.content
    done = visitor.post(
        "/" + path,
        {
            "full_name": "Jo Bloggs",
            "password": "a-long-passphrase-9",
            "password_again": "a-long-passphrase-9",
        },
    )
    assert done.status_code == 302
    assert visitor.get("/").status_code == 200
    with schema_context(tenant.schema_name):
        assert User.objects.get(email="jo@example.com").role == Role.CLERK
    again = TenantClient(tenant).get("/" + path)
    assert again.status_code == 410 and b"already used" in again.content


def test_expired_and_revoked_invitations_are_refused(tenant, in_tenant):
    invitation_create(tenant=tenant, email="late@example.com", role=Role.VIEWER)
    inv = Invitation.objects.get(email="late@example.com")
    Invitation.objects.filter(pk=inv.pk).update(
        expires_at=timezone.now() - timezone.timedelta(minutes=1)
    )
    from apps.accounts.services.invitations import invitation_for_token, token_hash

    raw = "known-token"
    Invitation.objects.filter(pk=inv.pk).update(token_hash=token_hash(raw))
    with pytest.raises(AccountError, match="expired"):
        invitation_for_token(raw)
    Invitation.objects.filter(pk=inv.pk).update(
        expires_at=timezone.now() + timezone.timedelta(days=1), revoked_at=timezone.now()
    )
    with pytest.raises(AccountError, match="withdrawn"):
        invitation_for_token(raw)


def test_cannot_invite_an_existing_member(tenant, users, in_tenant):
    with pytest.raises(AccountError, match="already has an account"):
        invitation_create(tenant=tenant, email=users[Role.CLERK].email.upper(), role=Role.CLERK)


def test_manager_cannot_invite_an_owner(tenant, users, in_tenant):
    with pytest.raises(AccountError, match="Only an owner"):
        invitation_create(
            tenant=tenant, email="boss@example.com", role=Role.OWNER, invited_by=users[Role.MANAGER]
        )


def test_last_owner_is_kept_even_when_two_owners_demote_each_other(users, in_tenant, tenant):
    User.objects.filter(email="founder@alpha.test").update(is_active=False)
    first = users[Role.OWNER]
    second = make_user(tenant, Role.OWNER, email="second-owner@alpha.test")
    stale_first = User.objects.get(pk=first.pk)  # what a concurrent request still holds
    user_change_role(user=first, role=Role.MANAGER, by=second)
    with pytest.raises(AccountError, match="at least one active owner"):
        user_change_role(user=second, role=Role.MANAGER, by=stale_first)
    with pytest.raises(AccountError, match="at least one active owner"):
        user_set_active(user=second, active=False, by=stale_first)
    assert User.objects.filter(role=Role.OWNER, is_active=True).count() == 1


def test_you_cannot_change_your_own_role(users, in_tenant):
    with pytest.raises(AccountError, match="own role"):
        user_change_role(user=users[Role.OWNER], role=Role.VIEWER, by=users[Role.OWNER])


def test_deactivated_user_is_signed_out_on_next_request(tenant, users):
    victim = TenantClient(tenant)
    victim.force_login(users[Role.CLERK])
    assert victim.get("/").status_code == 200
    admin = TenantClient(tenant)
    admin.force_login(users[Role.OWNER])
    assert admin.post(f"/team/{users[Role.CLERK].pk}/access/").status_code == 302
    assert victim.get("/").status_code == 302
