"""Uploads: type and size are checked and images are re-encoded, so nothing a visitor uploads is
stored as-is (a GIF/HTML polyglot, EXIF, an SVG) or comes back as a page of our origin."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.core.security_uploads import image_reencode
from apps.tenants.models import Tenant

VALID = {
    "name": "Alpha Supplies",
    "time_zone": "Europe/London",
    "currency": "GBP",
    "accent_colour": "#aa3300",
    "valuation_method": "fifo",
}


def _image(fmt="PNG", size=(40, 20), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red").save(out, fmt)
    return out.getvalue()


def test_polyglot_payload_after_the_image_is_dropped():
    payload = _image("GIF") + b"<script>alert(document.cookie)</script><html>"
    stored = image_reencode(SimpleUploadedFile("x.gif", payload), max_bytes=10**6, max_side=100)
    data = stored.read()
    assert b"<script>" not in data and data.startswith(b"\x89PNG")
    assert stored.name.endswith(".png") and "x.gif" not in stored.name


def test_jpeg_stays_jpeg_and_is_scaled_down():
    stored = image_reencode(
        SimpleUploadedFile("big.jpg", _image("JPEG", size=(3000, 1000))),
        max_bytes=10**7,
        max_side=512,
    )
    image = Image.open(io.BytesIO(stored.read()))
    assert image.format == "JPEG" and max(image.size) == 512


@pytest.mark.parametrize(
    "content, message",
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "must be a PNG"),
        (b"<html><script>alert(1)</script></html>", "must be a PNG"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "must be a PNG"),  # a broken PNG
        (b"", "must be a PNG"),
        (b"x" * 2_000, "larger than 1 MB"),
    ],
)
def test_non_images_and_oversized_files_are_refused_in_words(content, message):
    limit = 1_000 if message.startswith("larger") else 10**6
    with pytest.raises(ValidationError) as info:
        image_reencode(SimpleUploadedFile("f.png", content), max_bytes=limit, max_side=100)
    text = " ".join(info.value.messages)
    assert message in text or "larger than" in text


def test_company_logo_is_stored_re_encoded(tenant_client, tenant, owner, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    tenant_client.force_login(owner)
    payload = _image("PNG") + b"<script>alert(1)</script>"
    upload = SimpleUploadedFile("logo.html.png", payload, content_type="image/png")
    response = tenant_client.post("/settings/", {**VALID, "logo": upload})
    assert response.status_code == 302, response.content[:500]
    logo = Tenant.objects.get(pk=tenant.pk).logo
    with logo.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"\x89PNG") and b"<script>" not in data
    assert ".html" not in logo.name


def test_a_text_file_named_png_is_refused_and_nothing_stored(tenant_client, tenant, owner):
    tenant_client.force_login(owner)
    before = Tenant.objects.get(pk=tenant.pk).logo.name
    upload = SimpleUploadedFile("logo.png", b"<html>hi</html>", content_type="image/png")
    response = tenant_client.post("/settings/", {**VALID, "logo": upload})
    assert response.status_code == 422
    assert Tenant.objects.get(pk=tenant.pk).logo.name == before
