"""reverse() with a per-worker memory: the URLconf does not change while a worker runs.

A treatment page links to a dozen conditions and the site's sections; reversing each on every
render was a measurable part of a page-cache miss.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
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
