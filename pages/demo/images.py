"""Placeholder images drawn with Pillow at load time, so no stock photos live in the repository."""

from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw

Color = tuple[int, int, int]


def _gradient(size: tuple[int, int], top: Color, bottom: Color) -> Image.Image:
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def hero(top: Color, bottom: Color, accent: Color) -> Image.Image:
    """A wide soft gradient with a few overlapping circles."""
    image = _gradient((1200, 500), top, bottom).convert("RGBA")
    layer = Image.new("RGBA", image.size)
    draw = ImageDraw.Draw(layer)
    for x, y, radius, alpha in [(900, 180, 220, 70), (1050, 380, 140, 90), (250, 420, 180, 50)]:
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(*accent, alpha))
    return Image.alpha_composite(image, layer).convert("RGB")


def portrait(background: Color, figure: Color) -> Image.Image:
    """A head-and-shoulders silhouette standing in for a physician's photo."""
    image = _gradient((480, 600), background, tuple(max(0, c - 40) for c in background))
    draw = ImageDraw.Draw(image)
    draw.ellipse((165, 120, 315, 290), fill=figure)
    draw.ellipse((70, 330, 410, 760), fill=figure)
    return image


def ensure_image(name: str, image: Image.Image) -> str:
    """Save the image under this name in MEDIA storage unless it is already there."""
    if default_storage.exists(name):
        return name
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=82, optimize=True)
    return default_storage.save(name, ContentFile(buffer.getvalue()))
