"""Product images: upload (re-encoded, checked), thumbnail, reorder, delete, served per tenant."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from apps.accounts.models import Role
from apps.catalog.errors import CatalogError
from apps.catalog.images import product_image_add, product_image_delete, product_image_move
from apps.catalog.models import ProductImage
from apps.catalog.services import product_create


def picture(
    fmt="PNG", size=(640, 480), mode="RGB", name="photo.png", exif=False
) -> SimpleUploadedFile:
    out = io.BytesIO()
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        kwargs["exif"] = data.tobytes()
    image.save(out, fmt, **kwargs)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_upload_reencodes_strips_metadata_and_makes_a_thumbnail(in_tenant, media):
    product = product_create(name="Lamp", sku="LAMP-1")
    record = product_image_add(
        product=product, upload=picture("JPEG", (3000, 1500), exif=True, name="x.jpg")
    )
    assert (record.width, record.height) == (2000, 1000)  # scaled to 2000 px at most
    with record.image.open("rb") as handle:
        stored = Image.open(handle)
        assert stored.format == "JPEG" and "exif" not in stored.info
    with record.thumbnail.open("rb") as handle:
        assert Image.open(handle).size == (240, 240)
    stored_files = list(media.rglob("*.jpg"))
    assert len(stored_files) == 2 and stored_files[0].relative_to(media).parts[0] == "alpha"


def test_transparent_png_stays_png(in_tenant, media):
    product = product_create(name="Lamp", sku="LAMP-1")
    record = product_image_add(product=product, upload=picture("PNG", mode="RGBA"))
    assert record.image.name.endswith(".png")


def test_non_images_and_oversized_files_are_refused(in_tenant, media):
    product = product_create(name="Lamp", sku="LAMP-1")
    fake = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(CatalogError, match="isn't an image we can read"):
        product_image_add(product=product, upload=fake)
    bmp = picture("BMP", name="old.bmp")
    with pytest.raises(CatalogError, match="BMP images aren't accepted"):
        product_image_add(product=product, upload=bmp)
    big = SimpleUploadedFile("big.png", b"0" * (10 * 1024 * 1024 + 1))
    with pytest.raises(CatalogError, match="larger than 10 MB"):
        product_image_add(product=product, upload=big)
    assert not ProductImage.objects.exists()


def test_reorder_and_delete(in_tenant, media):
    product = product_create(name="Lamp", sku="LAMP-1")
    first, second, third = (product_image_add(product=product, upload=picture()) for _ in range(3))
    product_image_move(image=third, direction="up")
    order = list(product.images.order_by("position").values_list("pk", flat=True))
    assert order == [first.pk, third.pk, second.pk]
    product_image_move(image=first, direction="up")  # already first: nothing changes
    assert list(product.images.order_by("position").values_list("pk", flat=True)) == order
    product_image_delete(image=third)
    assert list(product.images.order_by("position").values_list("pk", flat=True)) == [
        first.pk,
        second.pk,
    ]


def test_upload_page_and_serving(tenant_client, tenant, users, media):
    with schema_context(tenant.schema_name):
        product = product_create(name="Lamp", sku="LAMP-1")
    tenant_client.force_login(users[Role.MANAGER])
    response = tenant_client.post(
        f"/products/{product.pk}/images/", {"image": picture(), "alt_text": "Lamp, lit"}
    )
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        image = product.images.get()
    thumb = tenant_client.get(f"/products/{product.pk}/images/{image.pk}/thumb")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert b"".join(thumb.streaming_content)[:2] == b"\xff\xd8"
    detail = tenant_client.get(f"/products/{product.pk}/").content.decode()
    assert 'alt="Lamp, lit"' in detail
    listing = tenant_client.get("/products/").content.decode()
    assert f"/products/{product.pk}/images/{image.pk}/thumb" in listing
    bad = tenant_client.post(
        f"/products/{product.pk}/images/",
        {"image": SimpleUploadedFile("a.png", b"nope", content_type="image/png")},
    )
    assert bad.status_code == 422 and "an image we can read" in bad.content.decode()
    tenant_client.force_login(users[Role.CLERK])
    assert (
        tenant_client.post(
            f"/products/{product.pk}/images/{image.pk}/", {"action": "delete"}
        ).status_code
        == 403
    )
