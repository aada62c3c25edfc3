"""With DEBUG off the site refuses to start without SITE_URL or a way to send email."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from clinic_site import checks

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"SECRET_KEY": "a-long-random-production-key-" + "x" * 40}
CONSOLE = "django.core.mail.backends.console.EmailBackend"
# Variables these tests set themselves; the test run's own values must not leak in.
CLEARED = {
    "DEBUG",
    "SECRET_KEY",
    "SITE_URL",
    "EMAIL_HOST",
    "EMAIL_BACKEND",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_python(*args, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CLEARED}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_site_url_or_mail_settings():
    result = run_python("manage.py", "check")
    assert result.returncode != 0
    assert "clinic.E001" in result.stderr and "SITE_URL is not set" in result.stderr
    assert "clinic.E002" in result.stderr and "EMAIL_HOST is not set" in result.stderr


@pytest.mark.parametrize(
    "mail",
    [{"EMAIL_HOST": "smtp.example.org"}, {"EMAIL_BACKEND": CONSOLE}],
    ids=["an-smtp-host", "a-backend-chosen-explicitly"],
)
def test_production_starts_with_site_url_and_a_way_to_send_mail(mail):
    result = run_python("manage.py", "check", SITE_URL="https://clinic.example.org", **mail)
    assert result.returncode == 0, result.stderr


def test_gunicorn_refuses_to_load_the_site_without_site_url():
    # gunicorn imports clinic_site.wsgi and runs no management command: the check runs there.
    result = run_python("-c", "import clinic_site.wsgi", EMAIL_BACKEND=CONSOLE)
    assert result.returncode != 0
    assert "clinic.E001" in result.stderr
    started = run_python(
        "-c", "import clinic_site.wsgi", EMAIL_BACKEND=CONSOLE, SITE_URL="https://x.example"
    )
    assert started.returncode == 0, started.stderr


def test_development_keeps_its_local_defaults():
    result = run_python(
        "manage.py",
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SITE_URL, s.EMAIL_BACKEND)",
        DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["http://127.0.0.1:8000", CONSOLE]


@pytest.mark.parametrize("url", ["", "clinic.example.org", "ftp://clinic.example.org", "https://"])
def test_site_url_must_be_an_absolute_web_address(settings, url):
    settings.SITE_URL = url
    assert [error.id for error in checks.check_site_url()] == ["clinic.E001"]


def test_smtp_without_a_host_is_refused_but_a_chosen_backend_is_not(settings):
    settings.EMAIL_HOST = ""
    settings.EMAIL_BACKEND = checks.SMTP_BACKEND
    assert [error.id for error in checks.check_email_delivery()] == ["clinic.E002"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    assert checks.check_email_delivery() == []


@pytest.mark.parametrize("target", ["run", "serve"])
def test_make_run_and_serve_give_the_site_the_address_they_serve(target):
    result = subprocess.run(
        ["make", "-n", target, "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k not in CLEARED},
    )
    assert result.returncode == 0, result.stderr
    assert "SITE_URL=http://127.0.0.1:8123" in result.stdout.replace("${SITE_URL:-", "")
