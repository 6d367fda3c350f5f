"""Security headers and the no-inline-script rule that lets the CSP forbid 'unsafe-inline'."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.test import RequestFactory

from apps.core.security import SecurityHeadersMiddleware

ROOT = Path(settings.BASE_DIR)


def _script_src(csp: str) -> str:
    return next(part for part in csp.split(";") if part.strip().startswith("script-src"))


def test_pages_carry_csp_without_inline_script(tenant_client, owner):
    tenant_client.force_login(owner)
    response = tenant_client.get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    script_src = _script_src(csp)
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    # The rendered page really has no inline script (json_script data blocks are not code).
    html = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert '"allowEval":false' in html and '"includeIndicatorStyles":false' in html


def test_login_page_and_public_site_have_headers(tenant_client, public_client):
    for response in (tenant_client.get("/accounts/login/"), public_client.get("/")):
        assert "Content-Security-Policy" in response
        assert "Permissions-Policy" in response


INLINE_HANDLER = re.compile(r"\s(on[a-z]+)\s*=\s*[\"']", re.I)
HX_ON = re.compile(r"\shx-on(:|-)", re.I)
TRIGGER_FILTER = re.compile(r"hx-trigger=\"[^\"]*\[[^\"]*\"")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", re.I)


def _templates():
    for base in [ROOT / "templates", *sorted((ROOT / "apps").glob("*/templates"))]:
        yield from base.rglob("*.html")


def test_no_template_needs_inline_script_or_eval():
    """Inline handlers, hx-on, htmx trigger filters and inline <script> all break under the CSP;
    pages use data attributes (data-confirm, data-autosubmit, ...) read by static/js/app.js."""
    problems = []
    for path in _templates():
        text = path.read_text()
        for pattern in (INLINE_HANDLER, HX_ON, TRIGGER_FILTER, INLINE_SCRIPT):
            for match in pattern.finditer(text):
                problems.append(f"{path.relative_to(ROOT)}: {match.group(0).strip()}")
    assert problems == []


def test_app_js_handles_the_data_attributes_templates_use():
    js = (ROOT / "static/js/app.js").read_text()
    used = set()
    for path in _templates():
        used |= set(
            re.findall(
                r"\b(data-(?:confirm|autosubmit|select-on-click|scan-reset|"
                r"filtered-change|require-checked|check-all))\b",
                path.read_text(),
            )
        )
    assert used  # the sweep found them
    for attribute in used:
        assert attribute in js, attribute


def _call(path: str, response):
    request = RequestFactory().get(path)
    return SecurityHeadersMiddleware(lambda _request: response)(request)


def test_html_in_media_is_downloaded_not_rendered():
    response = _call(
        "/media/alpha/evil.html",
        FileResponse(ContentFile(b"<script>x</script>"), content_type="text/html"),
    )
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_svg_file_response_is_an_attachment_and_images_stay_inline():
    svg = _call(
        "/x", FileResponse(ContentFile(b"<svg onload=alert(1)>"), content_type="image/svg+xml")
    )
    assert svg["Content-Disposition"].startswith("attachment")
    png = _call("/x", FileResponse(ContentFile(b"\x89PNG"), content_type="image/png"))
    assert "Content-Disposition" not in png or "attachment" not in png["Content-Disposition"]
    assert "sandbox" in png["Content-Security-Policy"]


@pytest.mark.django_db
def test_media_served_in_development_is_hardened(tenant_client, settings):
    """DEBUG serves MEDIA_URL through Django; an uploaded .html must still not render."""
    name = default_storage.save("security-test/page.html", ContentFile(b"<h1>hi</h1>"))
    try:
        from django.urls import clear_url_caches

        response = SecurityHeadersMiddleware(
            lambda r: FileResponse(default_storage.open(name), content_type="text/html")
        )(RequestFactory().get(settings.MEDIA_URL + name))
        assert response["Content-Type"] == "application/octet-stream"
        clear_url_caches()
    finally:
        default_storage.delete(name)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-for-the-check-9f8e7d",
        "FIELD_ENCRYPTION_KEY": "check",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/stockroom_check_unused",
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
