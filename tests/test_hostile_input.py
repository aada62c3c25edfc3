"""Hostile values in every URL pattern's path segments and query strings never give a 5xx."""

import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import URLResolver, get_resolver
from django.utils import translation

from tests.factories import sign_in

# Percent-encoded as a client would send them.
HOSTILE = {
    "nul": "%00",
    "nul-inside": "stem%00cell",
    "invalid-utf8": "%C0%AF%FF",
    "long": "a" * 10_000,
    "markup": quote('<script>alert("x")</script>'),
    "traversal": "..%2F..%2Fetc%2Fpasswd",
}
QUERY_NAMES = ["q", "office", "treatment", "page", "status", "spam_reason", "o", "p", "next"]
PARAMETER = re.compile(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)")


def url_patterns(resolver=None, prefix="") -> list[str]:
    """Every route of the URLconf as a string, parameters left as <name>."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$").replace("\\", "")
        if isinstance(entry, URLResolver):
            found += url_patterns(entry, route)
        else:
            found.append(route)
    return found


def all_routes() -> list[str]:
    routes = set()
    for language in ("en", "es"):
        with translation.override(language):
            routes.update(url_patterns())
    return sorted(routes)


def paths_with(value: str) -> list[str]:
    """Each route with the value in every parameter, or appended as a last segment."""
    paths = []
    for route in all_routes():
        if PARAMETER.search(route):
            paths.append("/" + PARAMETER.sub(value, route))
        else:
            paths.append("/" + route + value)
    return paths


def plain_paths() -> list[str]:
    return ["/" + PARAMETER.sub("stem-cell-therapy", route) for route in all_routes()]


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo_content", verbosity=0)


@pytest.fixture(params=["patient", "superuser"])
def visitor(request, client, demo):
    client.raise_request_exception = False
    if request.param == "superuser":
        sign_in(client, User.objects.create_superuser("root", password="x"))
    return client


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_path_segments_never_give_a_server_error(visitor, kind):
    failures = {}
    for path in paths_with(HOSTILE[kind]):
        status = visitor.get(path).status_code
        if status >= 500:
            failures[path[:120]] = status
    assert failures == {}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_query_strings_never_give_a_server_error(visitor, kind):
    value = HOSTILE[kind]
    query = "&".join(f"{name}={value}" for name in QUERY_NAMES) + f"&{value}=1"
    failures = {}
    for path in plain_paths():
        status = visitor.get(f"{path}?{query}").status_code
        if status >= 500:
            failures[path] = status
    assert failures == {}


def test_a_nul_byte_gets_a_polite_400(client, demo):
    for path in ("/%00", "/es/%00", "/info/%00/", "/consultation/?office=%00"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert 'id="main-content"' in response.content.decode(), path
