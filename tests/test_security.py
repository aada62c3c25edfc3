"""Security headers, admin lockout and sessions, the admin address, robots.txt and private logs."""

import io
import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic_site.logs import RedactingFormatter, RequestIdFilter, redact
from pages.models import Condition, Treatment
from tests.factories import totp_code, valid_form_data
from tests.live_gunicorn import Session as Browser
from tests.live_gunicorn import SwitchableSqlite, patient_form

ROOT = Path(__file__).resolve().parent.parent
LOGIN = f"/{settings.ADMIN_URL}login/"
FORM_URL = "/consultation/"
STAFF_PASSWORD = "a long and correct staff password"


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter with production settings and the given environment."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "ADMIN_URL", "SECURE_SSL"}
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "clinic_site.settings",
            "SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def formatted_logs():
    """Everything logged during the test, formatted as production formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(RedactingFormatter(settings.LOGGING["formatters"]["plain"]["format"]))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        "frontdesk", "frontdesk@example.org", STAFF_PASSWORD, is_staff=True, is_superuser=True
    )


def log_in(client, username, password, ip="203.0.113.5", **extra):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": f"/{settings.ADMIN_URL}"},
        REMOTE_ADDR=ip,
        **extra,
    )


def csp_directives(response) -> dict:
    header = response["Content-Security-Policy"]
    return {
        name: " ".join(values)
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


# --- Headers ---------------------------------------------------------------------------------


def test_pages_send_a_strict_content_security_policy(client, offices):
    response = client.get("/")
    assert csp_directives(response) == {
        "default-src": "'self'",
        "img-src": "'self' data:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    assert "unsafe" not in response["Content-Security-Policy"]


def test_pages_send_referrer_permissions_and_framing_policies(client, offices):
    response = client.get("/locations/")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "interest-cohort"):
        assert f"{feature}=()" in policy


def test_https_mode_redirects_sends_hsts_and_marks_cookies_secure():
    result = run_python(
        """
import json
from django.conf import settings
from django.test import Client
client = Client()
plain = client.get("/robots.txt")
secure = client.get("/robots.txt", secure=True)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "hsts": secure.get("Strict-Transport-Security", ""),
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
}))
""",
        SECURE_SSL="1",
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, "https://testserver/robots.txt"]
    assert "max-age=31536000" in seen["hsts"]
    assert seen["cookies"] == [True, True]


@pytest.mark.django_db(transaction=True)
def test_no_page_or_admin_screen_breaks_the_content_security_policy(
    browser_page, live_server, django_user_model
):
    call_command("load_demo_content", verbosity=0)
    django_user_model.objects.create_superuser("editor", "editor@example.org", STAFF_PASSWORD)
    problems = []
    browser_page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    browser_page.on("pageerror", lambda error: problems.append(str(error)))
    treatment = Treatment.objects.published().first()
    condition = Condition.objects.first()
    paths = ["/", "/treatments/", "/conditions/", "/locations/encino/", "/consultation/"]
    paths += [treatment.get_absolute_url(), condition.get_absolute_url()]
    for path in paths:
        browser_page.goto(live_server.url + path)

    browser_page.goto(live_server.url + LOGIN)
    browser_page.fill("#id_username", "editor")
    browser_page.fill("#id_password", STAFF_PASSWORD)
    browser_page.click("input[type=submit]")
    # The two-step set-up page (its QR code is a data: image) is checked on the way in.
    browser_page.wait_for_url(f"**/{settings.ADMIN_URL}two-step/set-up/**")
    app = TOTPDevice.objects.get(user__username="editor")
    browser_page.fill("#id_code", totp_code(app))
    browser_page.click("input[type=submit]")
    browser_page.click("text=I have saved them, continue")
    browser_page.wait_for_url(f"**/{settings.ADMIN_URL}")
    for path in [
        f"/{settings.ADMIN_URL}pages/treatment/{treatment.pk}/change/",
        f"/{settings.ADMIN_URL}pages/office/add/",
    ]:
        browser_page.goto(live_server.url + path)
        assert browser_page.locator("#content h1, #content-main").count() >= 1
    assert not problems, problems


# --- Admin -----------------------------------------------------------------------------------


def test_repeated_failed_logins_lock_out_that_username_from_that_address(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "frontdesk", "wrong password")
    response = log_in(client, "frontdesk", STAFF_PASSWORD)
    assert response.status_code == 429
    assert "locked" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_stop_the_same_person_at_another_address(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "frontdesk", "wrong password")
    response = log_in(Client(), "frontdesk", STAFF_PASSWORD, ip="198.51.100.7")
    assert response.status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "frontdesk", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")
    response = log_in(client, "frontdesk", STAFF_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429


def test_tests_and_scripts_can_still_log_in_without_a_request(client, staff):
    assert client.login(username="frontdesk", password=STAFF_PASSWORD)
    # The password is only the first step: admin still asks for the second.
    response = client.get(f"/{settings.ADMIN_URL}")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/{settings.ADMIN_URL}two-step/")


def test_staff_sessions_end_with_the_browser_and_after_two_idle_hours(client, staff):
    response = log_in(client, "frontdesk", STAFF_PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # gone when the browser closes
    session = Session.objects.get(session_key=cookie.value)
    idle_limit = session.expire_date - timezone.now()
    assert timedelta(hours=1, minutes=59) < idle_limit <= timedelta(hours=2)

    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/{settings.ADMIN_URL}")
    assert response.status_code == 302
    assert LOGIN in response["Location"]


def test_the_admin_address_comes_from_the_admin_url_setting():
    result = run_python(
        """
from django.urls import Resolver404, resolve
print(resolve("/back-office-7f3/login/").app_name)
try:
    print(resolve("/admin/login/").app_name)
except Resolver404:
    print("not found")
""",
        ADMIN_URL="back-office-7f3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["admin", "not", "found"]


# --- robots.txt ------------------------------------------------------------------------------


def test_robots_txt_keeps_crawlers_out_of_admin_and_thanks_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Disallow: /consultation/thanks/" in lines
    assert "Disallow: /es/consultation/thanks/" in lines
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in lines


# --- Logs ------------------------------------------------------------------------------------


def test_each_request_logs_one_line_with_its_id_path_status_and_time(
    client, offices, formatted_logs
):
    response = client.get("/locations/?q=jane.doe@example.org")
    request_id = response["X-Request-ID"]
    lines = [
        line for line in formatted_logs.getvalue().splitlines() if "clinic_site.requests" in line
    ]
    assert len(lines) == 1
    assert f"[{request_id}]" in lines[0]
    assert "GET /locations/ 200 " in lines[0] and lines[0].split()[-1].endswith("ms")
    assert "jane.doe" not in formatted_logs.getvalue()


def test_an_error_is_logged_with_the_request_id_of_the_request(offices, formatted_logs):
    client = Client(raise_request_exception=False)
    with mock.patch("pages.views.TemplateResponse", side_effect=RuntimeError("template exploded")):
        response = client.get("/locations/")
    assert response.status_code == 500
    error_lines = [
        line for line in formatted_logs.getvalue().splitlines() if "Internal Server Error" in line
    ]
    assert error_lines and f"[{response['X-Request-ID']}]" in error_lines[0]


def test_failed_admin_logins_leave_no_email_in_the_logs(client, staff, formatted_logs):
    log_in(client, "maria.gonzalez.unique@example.org", "wrong password")
    assert "maria.gonzalez.unique" not in formatted_logs.getvalue()


@pytest.mark.parametrize(
    "text",
    [
        "Key (email)=(ana.ruiz@example.org) already exists.",
        "call (310) 555-0142 or +1 818 555 0167",
        "DETAIL:  Failing row contains (7, Ana, Ruiz, 2135550101).",
    ],
)
def test_the_log_formatter_masks_emails_phones_and_database_row_details(text):
    masked = redact(text)
    for secret in ("ana.ruiz", "555-0142", "555 0167", "Ruiz", "2135550101"):
        assert secret not in masked


def test_the_log_formatter_leaves_times_and_ids_alone():
    text = "GET /locations/ 200 12.5ms at 2026-11-20 21:45:37 id 4f12d7300c6741248d05161860d2de1b"
    assert redact(text) == text


# --- Patients' data and client addresses -----------------------------------------------------

PATIENT = {
    "first_name": "Zebulon",
    "last_name": "Quartermaine",
    "email": "zq.unique@example.net",
    "phone": "(213) 373-4253",
    "message": "Quartermaine here, asking about my left knee before Tuesday.",
}
PATIENT_TRACES = ["Zebulon", "Quartermaine", "zq.unique", "373-4253", "3734253", "left knee"]


def test_a_patients_details_never_reach_the_logs(client, offices, formatted_logs):
    encino = next(office for office in offices if office.slug == "encino")
    bad = client.post(FORM_URL, valid_form_data(encino, **{**PATIENT, "email": "zq.unique@"}))
    assert bad.status_code == 400
    good = client.post(FORM_URL, valid_form_data(encino, **PATIENT))
    assert good.status_code == 302
    logs = formatted_logs.getvalue()
    assert "POST /consultation/ 302" in logs
    for trace in PATIENT_TRACES:
        assert trace not in logs, trace


def test_a_patients_details_never_reach_the_server_log_through_gunicorn(
    tmp_path, sqlite_template, start_gunicorn
):
    server = start_gunicorn(**SwitchableSqlite(sqlite_template, tmp_path).env, LOG_LEVEL="DEBUG")
    patient = Browser(server.url)
    sent = patient.post(FORM_URL, patient_form(patient, **PATIENT))
    assert sent.status == 302
    assert patient.get("/consultation/thanks/").status == 200
    log = server.log_text()
    assert "POST /consultation/ 302" in log
    for trace in PATIENT_TRACES:
        assert trace not in log, trace


def test_a_forged_forwarded_for_header_does_not_escape_the_rate_limit(client, offices, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.BOOKINGS_RATE_LIMIT = 2
    settings.BOOKINGS_RATE_LIMIT_KEEP = 0
    encino = next(office for office in offices if office.slug == "encino")
    statuses = [
        client.post(
            FORM_URL, valid_form_data(encino), HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://evil.example/phish", "//evil.example/", ""])
def test_after_signing_in_with_an_unsafe_next_staff_land_on_the_admin_index(client, next_url):
    from django.contrib.auth.models import User

    User.objects.create_superuser("boss", password="a long pass phrase 42")
    response = client.post(
        f"/admin/login/?next={next_url}",
        {"username": "boss", "password": "a long pass phrase 42", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
