"""What a page's head and header say about it: JSON-LD blocks and its other languages."""

import json

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from clinic_site.reversing import cached_translate_url

# The same escapes as Django's json_script: nothing in the data can close the script element.
JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(*blocks):
    """Render schema.org data as <script type="application/ld+json"> elements."""
    rendered = []
    for data in blocks:
        if not data:
            continue
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(JSON_ESCAPES)
        # Safe: the payload is JSON with <, > and & escaped, so it cannot end the element.
        rendered.append(
            format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))
        )
    return mark_safe("\n".join(rendered))  # each piece was built by format_html above


def language_versions_for(request) -> list[dict]:
    """This page in each language: code, name, path, and whether it is the one shown.

    The header and the hreflang links both ask; the answer is kept on the request.
    """
    if not request:  # error pages rendered without one
        return []
    current = get_language()
    cached = getattr(request, "_language_versions", None)
    if cached is not None and cached[0] == current:
        return cached[1]
    query = request.META.get("QUERY_STRING", "")
    versions = []
    for code, name in settings.LANGUAGES:
        path = cached_translate_url(request.path, code)
        versions.append(
            {
                "code": code,
                "name": name,
                "path": path,
                "url_with_query": f"{path}?{query}" if query else path,
                "absolute_url": f"{settings.SITE_URL}{path}",
                "is_current": current.split("-")[0] == code,
            }
        )
    request._language_versions = (current, versions)
    return versions
