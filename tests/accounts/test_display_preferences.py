"""Per-person display settings (high contrast, text size) and the service worker route."""

from django_tenants.utils import schema_context

from apps.accounts.models import Role, User


def _saved(tenant, user):
    with schema_context(tenant.schema_name):
        fresh = User.objects.get(pk=user.pk)
        return fresh.high_contrast, fresh.font_size


def test_display_settings_apply_to_every_page_for_that_person_only(tenant, tenant_client, users):
    clerk, viewer = users[Role.CLERK], users[Role.VIEWER]
    tenant_client.force_login(clerk)
    page = tenant_client.get("/team/profile/")
    assert b"Save display settings" in page.content
    assert b'data-font-size="normal"' in page.content and b"data-contrast" not in page.content

    response = tenant_client.post(
        "/team/profile/", {"save_display": "1", "high_contrast": "on", "font_size": "larger"}
    )
    assert response.status_code == 302
    assert _saved(tenant, clerk) == (True, "larger")
    html = tenant_client.get("/sales/").content
    assert b'data-font-size="larger"' in html and b'data-contrast="high"' in html

    tenant_client.force_login(viewer)
    html = tenant_client.get("/sales/").content
    assert b'data-font-size="normal"' in html and b"data-contrast" not in html
    assert _saved(tenant, viewer) == (False, "normal")


def test_bad_text_size_is_refused_in_words_and_nothing_changes(tenant, tenant_client, users):
    clerk = users[Role.CLERK]
    tenant_client.force_login(clerk)
    response = tenant_client.post(
        "/team/profile/", {"save_display": "1", "high_contrast": "on", "font_size": "huge"}
    )
    assert response.status_code == 422
    assert b"Select a valid choice" in response.content
    assert _saved(tenant, clerk) == (False, "normal")


def test_name_form_leaves_display_settings_alone(tenant, tenant_client, users):
    clerk = users[Role.CLERK]
    tenant_client.force_login(clerk)
    tenant_client.post(
        "/team/profile/", {"save_display": "1", "high_contrast": "on", "font_size": "large"}
    )
    response = tenant_client.post("/team/profile/", {"full_name": "Cleo Clerk"})
    assert response.status_code == 302
    assert _saved(tenant, clerk) == (True, "large")
    with schema_context(tenant.schema_name):
        assert User.objects.get(pk=clerk.pk).full_name == "Cleo Clerk"


def test_service_worker_is_served_from_the_site_root(tenant_client):
    response = tenant_client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert b"Nothing was saved" in response.content
