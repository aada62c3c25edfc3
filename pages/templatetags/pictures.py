from django import template
from django.core.files.storage import default_storage

register = template.Library()


def _existing(entries):
    return [entry for entry in entries if default_storage.exists(entry["name"])]


@register.inclusion_tag("includes/picture.html")
def picture(image, renditions, alt, sizes="100vw", hero=False, css_class=""):
    """A <picture> with WebP sources and a fallback; the original if renditions are missing."""
    renditions = renditions or {}
    sources = _existing(renditions.get("webp", []))
    fallback = renditions.get("fallback")
    if fallback and not default_storage.exists(fallback["name"]):
        fallback = None
    context = {"alt": alt, "sizes": sizes, "hero": hero, "css_class": css_class}
    if fallback:
        context.update(
            srcset=", ".join(
                f"{default_storage.url(entry['name'])} {entry['width']}w" for entry in sources
            ),
            src=default_storage.url(fallback["name"]),
            width=fallback["width"],
            height=fallback["height"],
        )
    elif image:
        context.update(
            src=image.url,
            width=renditions.get("width") or _safe_dimension(image, "width"),
            height=renditions.get("height") or _safe_dimension(image, "height"),
        )
    return context


def _safe_dimension(image, name):
    try:
        return getattr(image, name)
    except (OSError, ValueError):
        return None


@register.simple_tag
def rendition_url(renditions, image=None, width=960):
    """The URL of the rendition closest to `width`, for Open Graph and JSON-LD."""
    entries = (renditions or {}).get("webp", [])
    fallback = (renditions or {}).get("fallback")
    if fallback:
        return default_storage.url(fallback["name"])
    if entries:
        best = min(entries, key=lambda entry: abs(entry["width"] - width))
        return default_storage.url(best["name"])
    return image.url if image else ""
