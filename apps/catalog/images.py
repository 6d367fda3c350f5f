"""Product photos: every upload is decoded and re-encoded with Pillow (so what we store is an
image we made — no scripts, no EXIF/GPS metadata), scaled to at most 2000 px, with a square
thumbnail. Order is ``position``; moving swaps with the neighbour."""

from __future__ import annotations

import io
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from PIL import Image, ImageOps, UnidentifiedImageError

from apps.catalog.errors import CatalogError
from apps.catalog.models import Product, ProductImage

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
MAX_SIDE = 2000
THUMB_SIDE = 240
FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_IMAGES = 20


def _encode(image: Image.Image) -> tuple[bytes, str]:
    out = io.BytesIO()
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image.convert("RGBA").save(out, "PNG", optimize=True)
        return out.getvalue(), "png"
    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), "jpg"


def _decode(upload) -> Image.Image:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise CatalogError("The image is larger than 10 MB.", field="image")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise CatalogError("The image is larger than 10 MB.", field="image")
    try:
        probe = Image.open(io.BytesIO(data))
        if probe.format not in FORMATS:
            raise CatalogError(
                f"{probe.format} images aren't accepted; upload a JPEG, PNG, WebP or GIF.",
                field="image",
            )
        if probe.width * probe.height > MAX_PIXELS:
            raise CatalogError(
                "The image has too many pixels (40 megapixels at most).", field="image"
            )
        probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except CatalogError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise CatalogError(
            "This file isn't an image we can read; upload a JPEG, PNG, WebP or GIF.", field="image"
        ) from exc
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)  # animated GIF/WebP: keep the first frame
    return ImageOps.exif_transpose(image)


def product_image_add(*, product: Product, upload, alt_text: str = "") -> ProductImage:
    image = _decode(upload)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    main_bytes, ext = _encode(image)
    thumb = ImageOps.fit(image, (THUMB_SIDE, THUMB_SIDE))
    thumb_bytes, thumb_ext = _encode(thumb)
    stem = uuid.uuid4().hex[:16]
    with transaction.atomic():
        # Lock the product: two uploads at once still get distinct positions.
        Product.objects.select_for_update().filter(pk=product.pk).values_list("pk").get()
        if product.images.count() >= MAX_IMAGES:
            raise CatalogError(f"A product has at most {MAX_IMAGES} images.", field="image")
        last = product.images.aggregate(m=Max("position"))["m"]
        record = ProductImage(
            product=product,
            alt_text=(alt_text or "").strip()[:200],
            position=0 if last is None else last + 1,
            width=image.width,
            height=image.height,
        )
        record.image.save(f"{stem}.{ext}", ContentFile(main_bytes), save=False)
        record.thumbnail.save(f"{stem}-thumb.{thumb_ext}", ContentFile(thumb_bytes), save=False)
        record.save()
    return record


def product_image_move(*, image: ProductImage, direction: str) -> None:
    """Swap with the previous ("up") or next ("down") image of the same product."""
    if direction not in ("up", "down"):
        raise CatalogError("Move an image up or down.")
    with transaction.atomic():
        images = list(
            ProductImage.objects.select_for_update()
            .filter(product_id=image.product_id)
            .order_by("position", "pk")
        )
        index = next(i for i, img in enumerate(images) if img.pk == image.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(images):
            return
        images[index], images[other] = images[other], images[index]
        for position, img in enumerate(images):
            if img.position != position:
                ProductImage.objects.filter(pk=img.pk).update(position=position)


def product_image_delete(*, image: ProductImage) -> None:
    files = [image.image, image.thumbnail]
    with transaction.atomic():
        image.delete()
        # Files go only once the row is surely gone.
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files if f.name])
