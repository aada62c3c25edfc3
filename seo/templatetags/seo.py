import json

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# The same escapes as Django's json_script: nothing in the data can close the script element.
JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
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


@register.simple_tag
def json_ld_list(blocks):
    return json_ld(*blocks)


@register.simple_tag(takes_context=True)
def language_versions(context):
    """This page in each language: code, name, path, and whether it is the one shown."""
    request = context.get("request")
    if request is None:
        return []
    current = get_language()
    query = request.META.get("QUERY_STRING", "")
    versions = []
    for code, name in settings.LANGUAGES:
        path = translate_url(request.path, code)
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
    return versions
