"""Faults survived, end to end through gunicorn: the database or Redis going away, huge bodies."""

import json
import os
import time
import uuid
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from bookings.models import ConsultationRequest
from tests.live_gunicorn import (
    Session,
    SwitchableSqlite,
    TcpProxy,
    fetch,
    form_fields,
    free_port,
    patient_form,
    redis_answers,
)

# Numbers that exist only in this test's settings, so the 503 page cannot have read the database.
FALLBACK_OFFICES = [
    {
        "name": "Test North",
        "phone": "+13105550911",
        "phone_display": "(310) 555-0911",
        "street_address": "1 Test Street",
        "city": "Los Angeles",
        "state": "CA",
        "postal_code": "90017",
    },
    {
        "name": "Test South",
        "phone": "+18185550922",
        "phone_display": "(818) 555-0922",
        "street_address": "2 Test Street",
        "city": "Encino",
        "state": "CA",
        "postal_code": "91436",
    },
]
FORM_URL = "/consultation/"
CONTENT_PAGES = ["/", "/locations/", "/locations/encino/", "/treatments/", "/conditions/"]


def postgres_url(port: int) -> str:
    settings_dict = connection.settings_dict
    user = quote(settings_dict["USER"] or "postgres")
    password = f":{quote(settings_dict['PASSWORD'])}" if settings_dict["PASSWORD"] else ""
    return f"postgres://{user}{password}@127.0.0.1:{port}/{settings_dict['NAME']}"


@pytest.fixture
def switchable_database(tmp_path, sqlite_template):
    """(gunicorn's database settings, a switch with down()/up()) on the suite's database engine."""
    if connection.vendor == "postgresql":
        # The servers read what this test commits: the test database, through a proxy.
        call_command("load_demo_content", verbosity=0)
        settings_dict = connection.settings_dict
        proxy = TcpProxy(int(settings_dict["PORT"] or 5432), settings_dict["HOST"] or "127.0.0.1")
        proxy.count_consultation_requests = ConsultationRequest.objects.count
        yield {"DATABASE_URL": postgres_url(proxy.port)}, proxy
        proxy.down()
    else:
        database = SwitchableSqlite(sqlite_template, tmp_path)
        yield database.env, database


@pytest.fixture
def redis_proxy():
    if not redis_answers():
        if os.environ.get("CI"):
            pytest.fail("Redis must answer on 127.0.0.1:6379 in CI (.ci/run starts it).")
        pytest.skip("Redis is not answering on 127.0.0.1:6379 (start redis-server).")
    proxy = TcpProxy(6379)
    yield proxy
    proxy.down()


@pytest.mark.django_db(transaction=True)
def test_database_down_gives_503_with_phones_from_settings_and_back_up_works(
    switchable_database, start_gunicorn
):
    database_env, database = switchable_database
    server = start_gunicorn(**database_env, OFFICE_CONTACTS=json.dumps(FALLBACK_OFFICES))
    assert fetch(server.url + "/locations/encino/").status == 200
    assert fetch(server.url + "/healthz").status == 200
    patient = Session(server.url)
    form = patient_form(patient)

    database.down()
    for path in CONTENT_PAGES:
        reply = fetch(server.url + path)
        assert reply.status == 503, path
        assert 'id="main-content"' in reply.text, path  # the site's layout
        assert "(310) 555-0911" in reply.text and "(818) 555-0922" in reply.text, path
        assert "Traceback" not in reply.text and "OperationalError" not in reply.text, path
    assert fetch(server.url + "/healthz").status == 503
    sent = patient.post(FORM_URL, form)
    assert sent.status == 503 and "(818) 555-0922" in sent.text
    # What the patient typed is on the page, ready to send again.
    assert f'value="{form["first_name"]}"' in sent.text and form["message"] in sent.text
    assert "Traceback" not in server.log_text()

    database.up()
    reply = fetch(server.url + "/locations/encino/")
    assert reply.status == 200
    assert "16500 Ventura Boulevard" in reply.text
    assert fetch(server.url + "/healthz").status == 200
    assert database.count_consultation_requests() == 0  # nothing half-saved
    # The patient presses "Send my request" on the page that kept their answers.
    kept = dict(form_fields(sent.text, "consultation-form"))
    kept["preferred_days"] = form["preferred_days"]
    assert patient.post(FORM_URL, kept).status == 302
    assert database.count_consultation_requests() == 1


def test_redis_down_the_site_keeps_serving_and_caching_resumes_when_it_is_back(
    redis_proxy,
    tmp_path,
    sqlite_template,
    start_gunicorn,
):
    database = SwitchableSqlite(sqlite_template, tmp_path)
    server = start_gunicorn(
        DATABASE_URL=database.url,
        REDIS_URL=f"redis://127.0.0.1:{redis_proxy.port}/0",
        CACHE_KEY_PREFIX=f"test-faults-{uuid.uuid4().hex}",
        PAGE_CACHE_RETRY_SECONDS="0.5",
    )
    url = server.url + "/locations/encino/"
    fetch(url)
    fetch(url)
    assert server.wait_for_log("cache=hit")

    redis_proxy.down()
    for _ in range(3):
        reply = fetch(url)
        assert reply.status == 200
        assert "16500 Ventura Boulevard" in reply.text
    assert server.wait_for_log("page cache unavailable")
    hits_while_down = server.log_text().count("cache=hit")

    redis_proxy.up()
    time.sleep(0.6)  # past PAGE_CACHE_RETRY_SECONDS
    deadline = time.monotonic() + 10
    while server.log_text().count("cache=hit") == hits_while_down:
        assert time.monotonic() < deadline, "caching did not resume after Redis came back"
        assert fetch(url).status == 200
        time.sleep(0.1)
    assert "Traceback" not in server.log_text()


def test_redis_down_a_patients_request_is_still_taken(
    redis_proxy, tmp_path, sqlite_template, start_gunicorn
):
    database = SwitchableSqlite(sqlite_template, tmp_path)
    server = start_gunicorn(
        **database.env,
        REDIS_URL=f"redis://127.0.0.1:{redis_proxy.port}/0",
        CACHE_KEY_PREFIX=f"test-faults-{uuid.uuid4().hex}",
    )
    patient = Session(server.url)
    form = patient_form(patient)
    redis_proxy.down()
    sent = patient.post(FORM_URL, form)
    assert sent.status == 302
    assert database.count_consultation_requests() == 1
    assert server.wait_for_log("rate limit")


def test_a_10_mb_post_gets_a_clear_413_without_reaching_a_view(
    tmp_path,
    sqlite_template,
    start_gunicorn,
):
    database = SwitchableSqlite(sqlite_template, tmp_path)
    server = start_gunicorn(DATABASE_URL=database.url)
    for path in ["/", "/consultation/", "/admin/login/"]:
        reply = fetch(
            server.url + path,
            "POST",
            b"message=" + b"x" * (10 * 1024 * 1024),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert reply.status == 413, path
        assert "too large" in reply.text
    # The site still answers normally afterwards.
    assert fetch(server.url + "/locations/").status == 200
    assert "Traceback" not in server.log_text()


def test_smtp_down_a_patients_request_is_kept_and_thanked_end_to_end(
    tmp_path, sqlite_template, start_gunicorn
):
    database = SwitchableSqlite(sqlite_template, tmp_path)
    server = start_gunicorn(
        **database.env,
        TEST_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=free_port(),  # nothing listens there
        EMAIL_USE_TLS="0",
    )
    patient = Session(server.url)
    sent = patient.post(FORM_URL, patient_form(patient))
    assert sent.status == 302 and sent.headers["location"].endswith("/consultation/thanks/")
    thanks = patient.get("/consultation/thanks/")
    assert thanks.status == 200 and "ENC-" in thanks.text
    assert database.count_consultation_requests() == 1


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("message=" + "x" * (300 * 1024), id="a-300-KB-message"),
        pytest.param("&".join(f"f{n}=1" for n in range(1000)), id="a-thousand-fields"),
    ],
)
def test_an_oversized_form_gets_a_polite_400_in_the_site_layout(client, db, body):
    response = client.post(FORM_URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    html = response.content.decode()
    assert "shorten your message" in html
    assert 'id="main-content"' in html
