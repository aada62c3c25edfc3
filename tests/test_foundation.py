import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.urls import reverse

from pages.models import Office, OpeningHours
from tests.browser import assert_accessible

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    clean_env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DEBUG", "SECRET_KEY", "SITE_URL", "EMAIL_HOST", "EMAIL_BACKEND"}
        | {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean_env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_home_page_invites_a_consultation_and_shows_both_offices(client, offices):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert 'href="/consultation/"' in html
    assert 'href="#main-content"' in html
    for office in offices:
        assert f'href="tel:{office.phone}"' in html
        assert office.street_address in html


def test_pages_load_nothing_from_third_parties(client, offices):
    html = client.get("/").content.decode()
    for attribute in ("src=", 'rel="stylesheet" href='):
        for chunk in html.split(attribute)[1:]:
            url = chunk.split(">")[0].strip("\"' ")
            assert url.startswith("/"), f"external asset: {url}"


def test_unknown_page_gets_the_404_page_in_the_site_layout(client, offices):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'id="main-content"' in html


def test_healthz_says_ok_when_the_database_answers(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz_is_503_when_the_database_is_down(client, db):
    with mock.patch("clinic_site.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503


def test_server_error_page_renders_without_the_database(rf, db):
    from clinic_site.views import server_error

    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=DatabaseError("down"),
    ):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "something went wrong" in response.content.decode()


def test_office_page_shows_address_hours_and_a_consultation_link(client, offices):
    encino = Office.objects.get(slug="encino")
    html = client.get(encino.get_absolute_url()).content.decode()
    assert "16500 Ventura Boulevard" in html
    assert "Monday" in html and "8:30 AM" in html
    assert "/consultation/?office=encino" in html


def test_demo_content_can_be_loaded_twice_without_duplicates(db):
    call_command("load_demo_content", verbosity=0)
    first = (Office.objects.count(), OpeningHours.objects.count())
    call_command("load_demo_content", verbosity=0)
    assert (Office.objects.count(), OpeningHours.objects.count()) == first == (2, 10)


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-key-" + "x" * 40,
        SECURE_SSL="1",
        ALLOWED_HOSTS="clinic.example.org",
        SITE_URL="https://clinic.example.org",
        EMAIL_HOST="smtp.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/", "/no-such-page/", "/admin/login/", "/locations/"])
def test_page_passes_axe_in_chromium(browser_page, live_server, path):
    from pages.demo.offices import load_offices

    load_offices()
    browser_page.goto(live_server.url + path)
    if not path.startswith("/admin/"):
        assert browser_page.locator("h1").count() == 1
    assert_accessible(browser_page)


@pytest.mark.django_db(transaction=True)
def test_skip_link_moves_keyboard_focus_to_the_main_content(browser_page, live_server):
    browser_page.goto(live_server.url + "/")
    browser_page.keyboard.press("Tab")
    assert browser_page.evaluate("document.activeElement.textContent") == ("Skip to main content")
    browser_page.keyboard.press("Enter")
    assert browser_page.evaluate("document.activeElement.id") == "main-content"
