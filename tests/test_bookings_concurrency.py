"""Many patients at once: every request lands, each with its own reference, on both databases."""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from bookings.models import ConsultationRequest
from tests.factories import numbered_name, valid_form_data
from tests.live_gunicorn import Session

ROOT = Path(__file__).resolve().parent.parent

# One gunicorn-like worker process: posts the form `count` times through the whole stack.
WORKER = """
import json, sys, time
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
from tests.factories import numbered_name, valid_form_data
from pages.models import Office

worker, count, start_at = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
office = Office.objects.get(slug="encino")
forms = [
    valid_form_data(office, first_name=numbered_name("Worker", worker * 1000 + n))
    for n in range(count)
]
while time.time() < start_at:
    time.sleep(0.001)
codes = []
for n, data in enumerate(forms):
    client = Client(REMOTE_ADDR=f"10.{worker}.{n}.1")
    codes.append(client.post("/consultation/", data).status_code)
print(json.dumps(codes))
"""


def run(args, env, **kwargs):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, **kwargs
    )


def test_sqlite_file_database_takes_concurrent_submissions_from_several_processes(tmp_path):
    database = tmp_path / "concurrent.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    # Our production settings for SQLite (WAL, IMMEDIATE, busy timeout).
    env.update(
        DJANGO_SETTINGS_MODULE="clinic_site.test_settings", DATABASE_URL=f"sqlite:///{database}"
    )
    result = run(["manage.py", "migrate", "--noinput"], env, timeout=180)
    assert result.returncode == 0, result.stderr
    result = run(
        [
            "-c",
            "import django; django.setup(); from pages.demo.offices import load_offices; "
            "load_offices()",
        ],
        env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr

    workers, per_worker = 6, 8
    start_at = time.time() + 5
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(n), str(per_worker), str(start_at)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(workers)
    ]
    outputs = [process.communicate(timeout=180) for process in processes]

    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr[-3000:]
        assert "database is locked" not in stderr
        assert json.loads(stdout.strip().splitlines()[-1]) == [302] * per_worker
    with sqlite3.connect(database) as db:
        total, references, new = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT reference), SUM(status = 'new') "
            "FROM bookings_consultationrequest"
        ).fetchone()
    assert total == references == new == workers * per_worker


def test_four_gunicorn_workers_on_sqlite_take_simultaneous_patients(
    tmp_path, sqlite_template, start_gunicorn
):
    database = tmp_path / "db.sqlite3"
    shutil.copy(sqlite_template, database)
    server = start_gunicorn(
        workers=4,
        DATABASE_URL=f"sqlite:///{database}",
        TRUSTED_PROXY_COUNT=1,
        BOOKINGS_MIN_FILL_SECONDS=0.2,
    )
    patients = 24

    def fill_in(n):
        """Like a browser: load the form, fill it in, keep the cookies."""
        browser = Session(server.url, forwarded_for=f"10.3.{n}.1")
        page = browser.get("/consultation/").text
        hidden = dict(re.findall(r'name="(csrfmiddlewaretoken|token)" value="([^"]+)"', page))
        office = re.search(r'name="office" value="(\d+)"', page).group(1)
        data = valid_form_data(
            type("Office", (), {"pk": office}), first_name=numbered_name("Patient", n), **hidden
        )
        return browser, data

    filled = [fill_in(n) for n in range(patients)]
    time.sleep(0.5)  # longer than the (shortened) minimum fill time, so none is taken for a bot

    def send(n):
        browser, data = filled[n]
        reply = browser.post("/consultation/", data)
        thanks = browser.get("/consultation/thanks/") if reply.status == 302 else None
        return reply.status, thanks and re.search(r"(ENC|LAX)-[A-Z0-9]{6}", thanks.text).group(0)

    results = _in_threads(patients, send)
    assert [status for status, _ in results] == [302] * patients, server.log_text()[-3000:]
    assert "database is locked" not in server.log_text()
    shown = [reference for _, reference in results]
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT reference, status FROM bookings_consultationrequest").fetchall()
    stored = [reference for reference, _ in rows]
    assert {status for _, status in rows} == {"new"}
    assert sorted(shown) == sorted(stored)
    assert len(set(stored)) == patients


def _in_threads(count, target):
    barrier = threading.Barrier(count)
    results = [None] * count

    def work(n):
        try:
            barrier.wait()
            results[n] = target(n)
        except Exception as error:  # reported by the assertion below, not lost in the thread
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_submissions_on_postgresql_all_land_with_unique_references(offices):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only; SQLite is covered by the multi-process test above")
    encino = next(o for o in offices if o.slug == "encino")
    forms = [valid_form_data(encino, first_name=numbered_name("Patient", n)) for n in range(50)]

    def submit(n):
        client = Client(REMOTE_ADDR=f"10.1.{n}.1")
        return client.post("/consultation/", forms[n]).status_code

    assert _in_threads(50, submit) == [302] * 50
    references = list(ConsultationRequest.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references)) == 50
    assert {name for name in ConsultationRequest.objects.values_list("first_name", flat=True)} == {
        numbered_name("Patient", n) for n in range(50)
    }


@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_ten_times_at_once_is_stored_once(offices):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only; threads need a database server")
    encino = next(o for o in offices if o.slug == "encino")
    data = valid_form_data(encino)

    def submit(n):
        return Client(REMOTE_ADDR=f"10.2.{n}.1").post("/consultation/", data).status_code

    assert _in_threads(10, submit) == [302] * 10
    assert ConsultationRequest.objects.count() == 1
