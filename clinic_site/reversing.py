"""reverse() with a per-worker memory: the URLconf does not change while a worker runs.

A treatment page links to a dozen conditions and the site's sections; reversing each on every
render was a measurable part of a page-cache miss.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse, translate_url
from django.utils.translation import get_language


def cached_reverse(name: str, *args, **kwargs) -> str:
    key = (
        name,
        args,
        tuple(sorted(kwargs.items())),
        get_language(),  # i18n_patterns: /es/… for Spanish
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
    )
    return _reverse(key)


@lru_cache(maxsize=4096)
def _reverse(key) -> str:
    name, args, kwargs, _language, _prefix, urlconf = key
    return reverse(name, urlconf=urlconf, args=args, kwargs=dict(kwargs))


def cached_translate_url(path: str, language: str) -> str:
    """translate_url(), remembered: the answer depends only on the path, the language the path
    is read in (the active one) and the URLconf."""
    key = (path, language, get_language(), get_script_prefix(), get_urlconf())
    return _translate_url(key)


@lru_cache(maxsize=1024)  # any path can be asked for (404s too): keep the recent ones
def _translate_url(key) -> str:
    path, language, _active, _prefix, _urlconf = key
    return translate_url(path, language)
