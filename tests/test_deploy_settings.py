"""What a production deploy behind nginx relies on: health checks, HSTS opt-ins, request ids."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HSTS_AND_HEALTH = """
import json
from django.test import Client
client = Client()
health = client.get("/healthz")
page = client.get("/robots.txt")
secure = client.get("/robots.txt", secure=True)
print(json.dumps({
    "healthz": [health.status_code, health.content.decode()],
    "page": [page.status_code, page.get("Location", "")],
    "hsts": secure.get("Strict-Transport-Security", ""),
}))
"""


def production(*args, **env) -> subprocess.CompletedProcess:
    """Run Python with production settings (SECURE_SSL=1) and the given environment."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL"}
        and not key.startswith(("SECURE_", "TRUSTED_PROXY"))
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={
            **inherited,
            "DJANGO_SETTINGS_MODULE": "clinic_site.settings",
            "SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
            "SECURE_SSL": "1",
            # What production must set, or the site refuses to start (clinic_site/checks.py).
            "SITE_URL": "https://clinic.example.org",
            "EMAIL_HOST": "smtp.example.org",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_site(database_url: str, **env) -> dict:
    """A plain-HTTP health check, a plain-HTTP page and an HTTPS page, as the site answers them."""
    result = production(
        "-c",
        "import django; django.setup()\n" + HSTS_AND_HEALTH,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=database_url,
        **env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- /healthz over plain HTTP (issue 13, item 6) ---------------------------------------------


def test_a_plain_http_health_check_sees_ok_while_pages_still_go_to_https(tmp_path):
    seen = production_site(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert seen["healthz"] == [200, "ok"]
    assert seen["page"] == [301, "https://testserver/robots.txt"]


def test_a_plain_http_health_check_sees_503_when_the_database_is_gone(tmp_path):
    seen = production_site(f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}")
    assert seen["healthz"] == [503, "database unavailable"]


# --- HSTS opt-ins (issue 13, item 14) --------------------------------------------------------


def test_hsts_covers_only_this_site_and_asks_for_no_preload_by_default(tmp_path):
    seen = production_site(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert seen["hsts"] == "max-age=31536000"


def test_hsts_preload_and_subdomains_are_each_an_explicit_choice(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    both = production_site(url, SECURE_HSTS_PRELOAD="1", SECURE_HSTS_INCLUDE_SUBDOMAINS="1")
    assert both["hsts"] == "max-age=31536000; includeSubDomains; preload"
    only_subdomains = production_site(url, SECURE_HSTS_INCLUDE_SUBDOMAINS="1")
    assert only_subdomains["hsts"] == "max-age=31536000; includeSubDomains"


def test_check_deploy_stays_clean_with_the_hsts_opt_ins_on():
    result = production(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        ALLOWED_HOSTS="clinic.example.org",
        SECURE_HSTS_PRELOAD="1",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- Request ids (issue 13, item 12) ---------------------------------------------------------


def is_generated_id(value: str) -> bool:
    return len(value) == 32 and all(char in "0123456789abcdef" for char in value)


def test_a_clients_own_request_id_is_ignored_without_a_trusted_proxy(client, settings, db):
    settings.TRUSTED_PROXY_COUNT = 0
    response = client.get("/robots.txt", HTTP_X_REQUEST_ID="chosen-by-the-client-1234")
    assert is_generated_id(response["X-Request-ID"])


def test_the_trusted_proxys_request_id_is_kept_so_its_log_and_ours_match(client, settings, db):
    settings.TRUSTED_PROXY_COUNT = 1
    nginx_id = "4f1c2b9e7d8a4b6c9e0f1a2b3c4d5e6f"
    response = client.get("/robots.txt", HTTP_X_REQUEST_ID=nginx_id)
    assert response["X-Request-ID"] == nginx_id


@pytest.mark.parametrize(
    "forged",
    [
        "x" * 65,
        "short",
        "two words here",
        "id-1234567\r\nINFO fake log line",
        "id-1234567]\u202efake",
        "../../etc/passwd",
        "id;1234567",
    ],
)
def test_a_request_id_in_any_other_shape_is_replaced(client, settings, db, forged):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get("/robots.txt", HTTP_X_REQUEST_ID=forged)
    assert is_generated_id(response["X-Request-ID"])
