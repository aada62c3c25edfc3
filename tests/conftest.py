import os
from urllib.parse import urlparse

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, INSTALL_HINT

# gunicorn-in-a-subprocess fixtures for the fault and scale-out tests.
from tests.live_gunicorn import sqlite_template, start_gunicorn  # noqa: F401

# Playwright's sync API runs an event loop in this thread; the ORM calls in browser tests are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if {"chromium", "browser_page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        return  # the browser fixture fails each browser test with the install hint
    skip = pytest.mark.skip(reason=INSTALL_HINT)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"REQUIRE_BROWSER=1 but Chromium is missing. {INSTALL_HINT}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, live_server):
    """A fresh page whose requests may only go to the live server; anything else fails."""
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    outside_requests = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if host in {"localhost", "127.0.0.1"} or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside_requests.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    yield page
    context.close()
    assert not outside_requests, f"The page asked a third party for: {outside_requests}"


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin_client (a client of its own), signed in with both steps as every
    staff account must be."""
    from django.test import Client

    from tests.factories import sign_in

    client = Client()
    sign_in(client, admin_user)
    return client


@pytest.fixture
def offices(db):
    from pages.demo.offices import load_offices

    return load_offices()


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English: a Spanish request must not leave Spanish active for the next."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
