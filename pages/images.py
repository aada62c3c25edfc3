"""Image upload checks and responsive renditions made with Pillow when an image is saved."""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from django import forms
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
# JPEG is decoded at the smallest scale that still gives the largest rendition (Pillow's
# draft()), so even 40 megapixels cost a worker little memory. PNG and WebP are decoded
# whole, so they are limited to fewer pixels: a worker must stay well under 150 MB.
MAX_PIXELS = {"JPEG": 40_000_000, "PNG": 8_000_000, "WEBP": 2_500_000}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def validate_image_upload(upload) -> str:
    """Accept only whole, readable JPEG, PNG or WebP images of sane size; return the format.

    The whole image is decoded, so a file cut short or lying about its size is refused here
    rather than failing later when its renditions are made.
    """
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
            if image_format not in MAX_PIXELS:
                raise ValidationError(
                    "Please upload a JPEG, PNG or WebP image.", code="unsupported_format"
                )
            width, height = image.size
            if width * height > MAX_PIXELS[image_format]:
                raise ValidationError(
                    f"This image has too many pixels for a {image_format} file (the limit is "
                    f"{MAX_PIXELS[image_format] // 1_000_000} megapixels). Please resize it, "
                    "or save a photo as JPEG.",
                    code="too_many_pixels",
                )
            decode(image)
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError(
            "This image has too many pixels. Please resize it.", code="too_many_pixels"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            "This file is not an image we can read, or it is incomplete. Please upload a "
            "JPEG, PNG or WebP photo.",
            code="not_an_image",
        ) from None
    finally:
        upload.seek(position)
    return image_format


def decode(image: Image.Image) -> None:
    """Read every byte of the image; JPEG at the smallest scale the renditions allow."""
    if image.format == "JPEG":
        largest = RENDITION_WIDTHS[-1]
        image.draft("RGB", (largest, round(largest * image.height / image.width)))
    image.load()


class CheckedImageFormField(forms.ImageField):
    """A new upload is decoded whole and stored under the extension of what it really is."""

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        image_format = validate_image_upload(upload)
        stem = PurePosixPath(upload.name).stem or "image"
        upload.name = f"{stem}.{EXTENSIONS[image_format]}"  # a PNG named x.pdf becomes x.png
        return upload


class CheckedImageField(models.ImageField):
    """An image field whose new uploads are checked; a stored image is not read again on save."""

    def formfield(self, **kwargs):
        # Form fields check only a new upload, never the image already stored (which the
        # width and height fields have read and closed by then).
        return super().formfield(**{"form_class": CheckedImageFormField, **kwargs})


def _load(field_file) -> Image.Image:
    """The image upright, without EXIF (GPS, camera), in RGB or RGBA, no larger than needed."""
    from PIL import Image, ImageOps

    field_file.open("rb")
    try:
        with Image.open(field_file) as image:
            decode(image)
            # Apply the camera's rotation, then drop EXIF by not copying it.
            ImageOps.exif_transpose(image, in_place=True)
            keep_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
            mode = "RGBA" if keep_alpha else "RGB"
            # Shrink by a whole factor at once, keeping enough for the largest rendition.
            factor = image.width // RENDITION_WIDTHS[-1]
            smaller = image.reduce(factor) if factor > 1 else image
            return smaller if smaller.mode == mode else smaller.convert(mode)
    finally:
        field_file.close()


def _encode(image: Image.Image, width: int, image_format: str) -> tuple[bytes, int, int]:
    from PIL import Image

    height = round(image.height * width / image.width)
    if width == image.width:
        resized = image
    else:
        # reducing_gap: a fast integer shrink first, then LANCZOS for the last step.
        resized = image.resize((width, height), Image.LANCZOS, reducing_gap=3.0)
    buffer = io.BytesIO()
    if image_format == "WEBP":
        resized.save(buffer, "WEBP", quality=80, method=4)
    elif image_format == "PNG":
        resized.save(buffer, "PNG", optimize=True)
    else:
        resized.convert("RGB").save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue(), width, height


def make_renditions(field_file) -> dict:
    """Write WebP renditions and one JPEG/PNG fallback; return what templates need to show them.

    Rendition names carry a hash of their own bytes, so they can be cached for ever: a new
    image under the same name (or a change in how renditions are encoded) gets new names.
    """
    original_width, original_height = field_file_size(field_file)
    image = _load(field_file)
    stem = PurePosixPath(field_file.name).stem[:40]
    widths = sorted({min(rendition, image.width) for rendition in RENDITION_WIDTHS})

    def store(width: int, image_format: str) -> dict:
        data, out_width, out_height = _encode(image, width, image_format)
        # A hash of the file's own bytes: a name never gets other content, so browsers may keep
        # it for a year ("immutable"), even when an image is replaced under the same name.
        digest = hashlib.sha256(data).hexdigest()[:16]
        name = f"renditions/{stem}-{digest}-{out_width}.{EXTENSIONS[image_format]}"
        if not default_storage.exists(name):  # else the very same bytes are there already
            name = default_storage.save(name, ContentFile(data))
        return {"name": name, "width": out_width, "height": out_height}

    fallback_format = "PNG" if image.mode == "RGBA" else "JPEG"
    return {
        "source": field_file.name,
        "width": original_width,
        "height": original_height,
        "webp": [store(width, "WEBP") for width in widths],
        "fallback": store(min(FALLBACK_WIDTH, image.width), fallback_format),
    }


def field_file_size(field_file) -> tuple[int, int]:
    """The stored image's width and height, upright, read from its header only."""
    from PIL import Image

    field_file.open("rb")
    try:
        with Image.open(field_file) as image:
            orientation = image.getexif().get(0x0112, 1)
            width, height = image.size
    finally:
        field_file.close()
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


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
