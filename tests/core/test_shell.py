import json

from django.contrib import messages
from django.http import HttpResponse
from django.test import RequestFactory

from apps.accounts.models import Role
from apps.core.middleware import HtmxMessagesMiddleware
from apps.core.pagination import paginate
from apps.tenants.models import Tenant


def test_shell_shows_company_name_accent_nav_and_skip_link(tenant_client, tenant, users):
    Tenant.objects.filter(pk=tenant.pk).update(accent_colour="#123456")
    tenant_client.force_login(users[Role.VIEWER])
    content = tenant_client.get("/").content.decode()
    assert "Alpha Supplies" in content
    assert "--brand: #123456" in content and "--brand-rgb: 18, 52, 86" in content
    assert 'href="#main"' in content and "Skip to main content" in content
    nav = content[content.index('aria-label="Main navigation"') :]
    dashboard_link = nav[: nav.index("Dashboard")]
    assert 'aria-current="page"' in dashboard_link[dashboard_link.rindex("<a ") :]
    assert 'aria-disabled="true"' not in nav  # every section of the sidebar is built and linked


def test_team_page_marks_team_as_current(tenant_client, users):
    tenant_client.force_login(users[Role.VIEWER])
    content = tenant_client.get("/team/").content.decode()
    team_link = content[content.index('href="/team/"') - 200 : content.index('href="/team/"') + 100]
    assert 'aria-current="page"' in team_link


def _middleware_response(htmx: bool, status: int = 200, trigger: str | None = None):
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    request.htmx = htmx
    messages.success(request, "Saved.")

    def view(_request):
        response = HttpResponse(status=status)
        if trigger:
            response["HX-Trigger"] = trigger
        return response

    return HtmxMessagesMiddleware(view)(request)


def test_htmx_response_carries_messages_as_toast_event():
    response = _middleware_response(htmx=True, trigger='{"closeModal": null}')
    payload = json.loads(response["HX-Trigger"])
    assert payload["toast"] == [{"level": "success", "text": "Saved."}]
    assert "closeModal" in payload


def test_full_page_and_redirect_responses_keep_messages_for_the_page():
    assert "HX-Trigger" not in _middleware_response(htmx=False)
    assert "HX-Trigger" not in _middleware_response(htmx=True, status=302)


def test_unknown_company_gets_a_helpful_404(client, db):
    response = client.get("/", HTTP_HOST="ghost-company.localhost")
    assert response.status_code == 404
    content = response.content.decode()
    assert "There is no company at ghost-company.localhost" in content and "/signup/" in content


def test_server_error_page_renders_without_a_database(rf):
    from apps.core.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500 and b"Something went wrong on our side" in response.content


def test_forbidden_page_says_why(tenant_client, users):
    tenant_client.force_login(users[Role.CLERK])
    response = tenant_client.get("/settings/")
    assert response.status_code == 403
    assert "owner roles have" in response.content.decode()


def test_paginate_clamps_bad_input(rf, db):
    items = list(range(60))
    assert paginate(rf.get("/", {"page": "999"}), items).number == 3
    assert paginate(rf.get("/", {"page": "x"}), items).number == 1
    page = paginate(rf.get("/", {"per_page": "50"}), items)
    assert len(page.object_list) == 50
    assert len(paginate(rf.get("/", {"per_page": "100000"}), items).object_list) == 25


def test_landing_names_only_the_demo_companies(public_client, tenant):
    content = public_client.get("/").content.decode()
    assert "Inventory that is never wrong" in content
    assert tenant.name not in content  # customers are never listed publicly


def test_static_assets_are_vendored_not_from_a_cdn(public_client, db):
    content = public_client.get("/").content.decode()
    assert "/static/vendor/bootstrap-5.3.9/css/bootstrap.min.css" in content
    assert "cdn" not in content.lower() and "https://" not in content.split("<body")[0]


def test_list_pages_answer_htmx_with_only_their_table(tenant_client, users):
    tenant_client.force_login(users[Role.VIEWER])
    for url, target in [
        ("/team/", "team-table"),
        ("/products/", "product-table"),
        ("/inventory/", "level-table"),
        ("/inventory/history/", "history-table"),
    ]:
        fragment = tenant_client.get(
            url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=target
        ).content.decode()
        assert fragment.lstrip().startswith(f'<div id="{target}"') and "<html" not in fragment, url
        assert "<html" in tenant_client.get(url).content.decode()
