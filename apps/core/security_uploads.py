"""Uploaded images are decoded and re-encoded with Pillow before they are stored: what is kept is
a PNG or JPEG we wrote ourselves — no scripts hidden in a polyglot file, no SVG, no EXIF/GPS — with
a name we chose, so it can never be served back as HTML. (Product photos do the same in
apps/catalog/images.py, with thumbnails.)"""

from __future__ import annotations

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_PIXELS = 40_000_000


def image_reencode(upload, *, max_bytes: int, max_side: int, label: str = "image") -> ContentFile:
    """The upload as a freshly encoded JPEG (from a JPEG) or PNG (anything else), or a ValidationError
    that says what is wrong in words."""
    limit_mb = max(1, max_bytes // (1024 * 1024))
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(f"The {label} is larger than {limit_mb} MB. Choose a smaller file.")
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(f"The {label} is larger than {limit_mb} MB. Choose a smaller file.")
    unreadable = f"The {label} must be a PNG, JPEG, WebP or GIF image."
    try:
        probe = Image.open(io.BytesIO(data))
        if probe.format not in ACCEPTED_FORMATS:
            raise ValidationError(unreadable)
        if probe.width * probe.height > MAX_PIXELS:
            raise ValidationError(f"The {label} has too many pixels.")
        probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(unreadable) from None
    source_format = probe.format
    image = ImageOps.exif_transpose(image)
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    if source_format == "JPEG":  # photos stay JPEG; everything else becomes a PNG
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
        ext = "jpg"
    else:
        image.convert("RGBA").save(out, "PNG", optimize=True)
        ext = "png"
    return ContentFile(out.getvalue(), name=f"{label}-{uuid.uuid4().hex[:12]}.{ext}")
