"""Image upload checks and responsive renditions made with Pillow when an image is saved."""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction

# Pillow is imported where images are read or written (uploads, renditions): workers that
# only serve pages never load it, which keeps their memory down.
if TYPE_CHECKING:
    from PIL import Image

logger = logging.getLogger(__name__)

RENDITION_WIDTHS = (480, 960, 1600)
FALLBACK_WIDTH = 960
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


def validate_image_upload(upload) -> None:
    """Accept only real JPEG, PNG or WebP images of sane size, with a clear message otherwise."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            "This image is larger than 10 MB. Please save it smaller and upload it again.",
            code="too_large",
        )
    from PIL import Image, UnidentifiedImageError

    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    "This image has too many pixels (over 40 megapixels). Please resize it.",
                    code="too_many_pixels",
                )
            image.verify()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError(
            "This image has too many pixels (over 40 megapixels). Please resize it.",
            code="too_many_pixels",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(
            "This file is not an image we can read. Please upload a JPEG, PNG or WebP photo.",
            code="not_an_image",
        ) from None
    finally:
        upload.seek(position)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError("Please upload a JPEG, PNG or WebP image.", code="unsupported_format")


class CheckedImageField(models.ImageField):
    """An image field whose new uploads are checked; a stored image is not read again on save."""

    def formfield(self, **kwargs):
        # Form fields run validators only on a new upload, never on the image already stored
        # (which the width and height fields have read and closed by then).
        return super().formfield(**{"validators": [validate_image_upload], **kwargs})


def _load(field_file) -> Image.Image:
    from PIL import Image, ImageOps

    field_file.open("rb")
    try:
        with Image.open(field_file) as image:
            image.load()
            # Apply the camera's rotation, then drop EXIF (GPS, camera) by not copying it.
            upright = ImageOps.exif_transpose(image)
            keep_alpha = upright.mode in ("RGBA", "LA") or "transparency" in upright.info
            return upright.convert("RGBA" if keep_alpha else "RGB")
    finally:
        field_file.close()


def _encode(image: Image.Image, width: int, image_format: str) -> tuple[bytes, int, int]:
    from PIL import Image

    height = round(image.height * width / image.width)
    resized = image if width == image.width else image.resize((width, height), Image.LANCZOS)
    buffer = io.BytesIO()
    if image_format == "WEBP":
        resized.save(buffer, "WEBP", quality=80, method=4)
    elif image_format == "PNG":
        resized.save(buffer, "PNG", optimize=True)
    else:
        resized.convert("RGB").save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue(), width, height


def make_renditions(field_file) -> dict:
    """Write WebP renditions and one JPEG/PNG fallback; return what templates need to show them."""
    image = _load(field_file)
    stem = PurePosixPath(field_file.name).stem[:40]
    widths = sorted({min(width, image.width) for width in RENDITION_WIDTHS})

    def store(width: int, image_format: str) -> dict:
        data, out_width, out_height = _encode(image, width, image_format)
        extension = {"WEBP": "webp", "PNG": "png", "JPEG": "jpg"}[image_format]
        # A hash of the file's own bytes: a name never gets other content, so browsers may keep
        # it for a year ("immutable"), even when an image is replaced under the same name.
        digest = hashlib.sha256(data).hexdigest()[:16]
        name = f"renditions/{stem}-{digest}-{out_width}.{extension}"
        if not default_storage.exists(name):  # else the very same bytes are there already
            name = default_storage.save(name, ContentFile(data))
        return {"name": name, "width": out_width, "height": out_height}

    fallback_format = "PNG" if image.mode == "RGBA" else "JPEG"
    return {
        "source": field_file.name,
        "width": image.width,
        "height": image.height,
        "webp": [store(width, "WEBP") for width in widths],
        "fallback": store(min(FALLBACK_WIDTH, image.width), fallback_format),
    }


def renditions_after_commit(instance, image_field: str, renditions_field: str) -> None:
    """After the save commits, make renditions of a new image (or drop those of a removed one).

    After commit, so a rolled-back save leaves no rendition files behind.
    """
    field_file = getattr(instance, image_field)
    current = getattr(instance, renditions_field) or {}
    if current.get("source", "") == (field_file.name or ""):
        return
    transaction.on_commit(lambda: store_renditions(instance, image_field, renditions_field))


def store_renditions(instance, image_field: str, renditions_field: str) -> None:
    """Make the image's renditions now and save them (a save the page cache hears about)."""
    field_file = getattr(instance, image_field)
    renditions = {}
    if field_file:
        from PIL import Image

        try:
            renditions = make_renditions(field_file)
        except (OSError, ValueError, Image.DecompressionBombError):
            # Pages show the original meanwhile; the next save or `rebuild_renditions` retries.
            logger.exception("Could not make renditions for %s", field_file.name)
    setattr(instance, renditions_field, renditions)
    instance.save(update_fields=[renditions_field])
