"""Which language a piece of content is shown in, so English fallbacks are marked as such."""

from django import template
from django.conf import settings
from django.utils.translation import get_language

register = template.Library()


def _active() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _has_own_text(obj, field: str, language: str) -> bool:
    value = getattr(obj, f"{field}_{language}", None)
    return bool(value and str(value).strip())


@register.filter
def shown_language(obj, field: str) -> str:
    """The language code the field is shown in: the page's, or English when it falls back."""
    language = _active()
    if language == settings.MODELTRANSLATION_DEFAULT_LANGUAGE or obj is None:
        return language
    if _has_own_text(obj, field, language):
        return language
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    # Empty in English too (an FAQ section with only its entries): nothing falls back.
    return default if _has_own_text(obj, field, default) else language


@register.filter
def lacks_translation(obj, field: str) -> bool:
    """True when the page is in another language and this content has no text of its own in it."""
    return shown_language(obj, field) != _active()
