"""Two gunicorn instances on one PostgreSQL database and one Redis, as two app servers would be."""

import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from bookings.models import ConsultationRequest
from pages.models import Office
from tests.factories import authenticator_app, totp_code, valid_form_data
from tests.live_gunicorn import Session, form_fields, redis_answers

FORM_URL = "/consultation/"
ADMIN = f"/{settings.ADMIN_URL}"
EDITOR_PASSWORD = "an editor's long password"
CSRF_SECRET = "scaleoutscaleoutscaleoutscaleout"


def missing_services() -> str:
    if connection.vendor != "postgresql":
        return "scale-out needs PostgreSQL: run with DATABASE_URL=postgres://…"
    if not redis_answers():
        return "scale-out needs Redis answering on 127.0.0.1:6379"
    return ""


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_servers(start_gunicorn):
    """Start two app servers on the test database and one Redis (key prefix of this test)."""
    reason = missing_services()
    if reason:
        if os.environ.get("CI") and connection.vendor == "postgresql":
            pytest.fail(f"{reason} (CI provides both)")
        pytest.skip(reason)
    call_command("load_demo_content", verbosity=0)
    settings_dict = connection.settings_dict
    database_url = (
        f"postgres://{settings_dict['USER'] or 'postgres'}"
        + (f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else "")
        + f"@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
        + f"/{settings_dict['NAME']}"
    )

    def start(**env):
        shared = {
            "DATABASE_URL": database_url,
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "CACHE_KEY_PREFIX": f"test-scaleout-{uuid.uuid4().hex}",
            **env,
        }
        return start_gunicorn(**shared), start_gunicorn(**shared)

    return start


def submission(office, forwarded_for, **overrides) -> tuple[dict, dict]:
    """A patient's form as the browser sends it: (body, headers)."""
    data = valid_form_data(office, **overrides)
    data["csrfmiddlewaretoken"] = CSRF_SECRET
    headers = {
        "Cookie": f"{settings.CSRF_COOKIE_NAME}={CSRF_SECRET}",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Forwarded-For": forwarded_for,
    }
    return urlencode(data, doseq=True).encode(), headers


def send(server, office, forwarded_for, **overrides) -> int:
    body, headers = submission(office, forwarded_for, **overrides)
    return Session(server.url).request(FORM_URL, "POST", body, headers).status


def test_an_editors_save_on_one_server_refreshes_the_cached_page_on_the_other(
    two_servers, django_user_model
):
    first, second = two_servers()
    app = authenticator_app(
        django_user_model.objects.create_superuser("editor", "editor@example.org", EDITOR_PASSWORD)
    )
    encino = Office.objects.get(slug="encino")
    page = encino.get_absolute_url()

    assert "Encino" in Session(second.url).get(page).text
    # Behind the cache's back (no signal): the second server keeps serving its cached page.
    Office.objects.filter(pk=encino.pk).update(name="Valley")
    assert "Valley" not in Session(second.url).get(page).text

    editor = Session(first.url)
    login = editor.get(f"{ADMIN}login/")
    fields = dict(form_fields(login.text, "login-form"))
    fields.update(username="editor", password=EDITOR_PASSWORD)
    assert editor.post(f"{ADMIN}login/", fields).status == 302
    verify = editor.get(f"{ADMIN}two-step/verify/")
    code = dict(form_fields(verify.text, "verify-form"), code=totp_code(app))
    assert editor.post(f"{ADMIN}two-step/verify/", code).status == 302
    change_url = f"{ADMIN}pages/office/{encino.pk}/change/"
    form = [
        (name, "Encino Valley" if name == "name_en" else value)
        for name, value in form_fields(editor.get(change_url).text, "office_form")
    ]
    saved = editor.post(change_url, form)
    assert saved.status == 302, saved.text[:2000]

    assert "Encino Valley" in Session(second.url).get(page).text


def test_submissions_through_both_servers_all_land_with_unique_references(two_servers, offices):
    first, second = two_servers(TRUSTED_PROXY_COUNT="1")
    encino = Office.objects.get(slug="encino")
    jobs = [(first if n % 2 else second, f"198.51.100.{n}") for n in range(30)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda job: send(job[0], encino, job[1]), jobs))
    assert statuses == [302] * len(jobs)
    references = list(ConsultationRequest.objects.values_list("reference", flat=True))
    assert len(references) == len(jobs) == len(set(references))
    assert all(re.fullmatch(r"ENC-\w{6}", reference) for reference in references)


def test_the_rate_limit_counts_across_both_servers_and_ignores_forged_first_hops(
    two_servers, offices
):
    first, second = two_servers(
        TRUSTED_PROXY_COUNT="1", BOOKINGS_RATE_LIMIT="3", BOOKINGS_RATE_LIMIT_KEEP="0"
    )
    encino = Office.objects.get(slug="encino")
    statuses = []
    for n in range(5):
        server = first if n % 2 else second
        # The proxy appends the address it saw; whatever the client put before it is forged.
        statuses.append(send(server, encino, f"10.9.9.{n}, 203.0.113.9"))
    assert statuses == [302, 302, 302, 429, 429]
    assert ConsultationRequest.objects.count() == 3
