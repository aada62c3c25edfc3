"""Never two patients in one slot: many at once, on PostgreSQL (threads, two app servers) and
on SQLite (several processes on one file)."""

import json
import os
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from pages.models import Office
from scheduling.availability import booking_window, open_week, week_start
from scheduling.models import Appointment, AppointmentEmail
from scheduling.notifications import send_reminders
from tests.factories import booking_details, first_open_slot, make_bookable, make_physician
from tests.live_gunicorn import fetch
from tests.test_bookings_concurrency import _in_threads

ROOT = Path(__file__).resolve().parent.parent
CSRF_SECRET = "bookingbookingbookingbookingbook"
TAKEN = "That time was just booked"


def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only; SQLite is covered by the multi-process test below")


def name_for(n: int) -> str:
    """A name of letters only (names have no digits), different for each number: "Bcd"."""
    return "".join(chr(ord("a") + int(digit)) for digit in str(n)).capitalize()


def open_slots(kind, count):
    """The first `count` open times of this kind of visit, soonest first."""
    window = booking_window(kind.office)
    monday, found = week_start(window.first_day), []
    while len(found) < count:
        found += [slot for day in open_week(kind, monday, window) for slot in day.slots]
        monday += timedelta(days=7)
    return found[:count]


def post_over_http(server_url, kind, slot_value, n):
    """A patient's booking as the browser sends it, from its own address."""
    data = booking_details(slot_value, kind, first_name=f"Patient {name_for(n)}")
    data["csrfmiddlewaretoken"] = CSRF_SECRET
    headers = {
        "Cookie": f"{settings.CSRF_COOKIE_NAME}={CSRF_SECRET}",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Forwarded-For": f"10.77.{n // 250}.{n % 250 + 1}",
    }
    # A long timeout: two hundred requests queue for four sync workers on two cores.
    reply = fetch(
        server_url + "/book/details/", "POST", urlencode(data).encode(), headers, timeout=90
    )
    return reply.status, TAKEN in reply.text


@pytest.fixture
def two_servers(start_gunicorn, offices):
    """Two app servers on the test's PostgreSQL database, as two machines would be."""
    postgresql_only()
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER'] or 'postgres'}"
        + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        + f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {"DATABASE_URL": url, "TRUSTED_PROXY_COUNT": "1", "PAGE_CACHE": "0"}
    return start_gunicorn(**env), start_gunicorn(**env)


@pytest.mark.django_db(transaction=True)
def test_fifty_patients_at_once_on_two_servers_for_one_slot_one_gets_it(two_servers):
    kind = make_bookable(Office.objects.get(slug="encino"), make_physician(), weekdays=range(7))
    slot = first_open_slot(kind)
    servers = [server.url for server in two_servers]
    results = _in_threads(50, lambda n: post_over_http(servers[n % 2], kind, slot.value, n))
    assert sorted(status for status, _ in results) == [302] + [409] * 49, results
    assert all(taken for status, taken in results if status == 409)
    assert Appointment.objects.filter(starts_at=slot.starts_at).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_hundred_patients_at_once_on_two_servers_for_different_slots_all_get_them(
    two_servers,
):
    kind = make_bookable(
        Office.objects.get(slug="encino"),
        make_physician(),
        weekdays=range(7),
        hours=(("07:00", "19:00"),),
        duration=15,
    )
    slots = open_slots(kind, 200)
    servers = [server.url for server in two_servers]
    with ThreadPoolExecutor(max_workers=200) as pool:
        results = list(
            pool.map(lambda n: post_over_http(servers[n % 2], kind, slots[n].value, n), range(200))
        )
    assert [status for status, _ in results] == [302] * 200
    assert Appointment.objects.filter(status="booked").count() == 200


@pytest.mark.django_db(transaction=True)
def test_fifty_threads_for_one_slot_in_one_process_one_gets_it(offices):
    postgresql_only()
    kind = make_bookable(Office.objects.get(slug="encino"), make_physician())
    slot = first_open_slot(kind)
    forms = [booking_details(slot.value, kind, first_name=name_for(n)) for n in range(50)]

    def book(n):
        response = Client(REMOTE_ADDR=f"10.5.{n}.1").post("/book/details/", forms[n])
        return response.status_code, TAKEN in response.content.decode()

    results = _in_threads(50, book)
    assert sorted(results) == [(302, False)] + [(409, True)] * 49
    assert Appointment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_overlapping_reminder_runs_send_each_reminder_once(offices):
    postgresql_only()
    from django.core import mail

    kind = make_bookable(Office.objects.get(slug="encino"), make_physician())
    slots = open_slots(kind, 5)
    for n, slot in enumerate(slots):
        data = booking_details(slot.value, kind, first_name=name_for(n))
        Client(REMOTE_ADDR=f"10.6.{n}.1").post("/book/details/", data)
    Appointment.objects.update(scheduled_at=slots[0].starts_at - timedelta(days=10))
    mail.outbox.clear()
    when = slots[0].starts_at - timedelta(hours=1)
    reports = _in_threads(6, lambda n: send_reminders(now=when))
    reminders = [m for m in mail.outbox if m.subject.startswith("Reminder")]
    # The 2-day reminder is due for all five visits, the 2-hour one for those within 2 hours.
    due = sum(
        slot.starts_at <= when + timedelta(minutes=lead)
        for slot in slots
        for lead in settings.SCHEDULING_REMINDER_MINUTES
    )
    assert due > len(slots)
    assert sum(report.sent for report in reports) == len(reminders) == due
    assert AppointmentEmail.objects.filter(kind="reminder", status="sent").count() == due


# --- SQLite: several processes on one file ---------------------------------------------------

SETUP = """
import django
django.setup()
from pages.demo.offices import load_offices
from pages.models import Office
from tests.factories import make_bookable, make_physician
import json
from tests.test_scheduling_concurrency import open_slots
load_offices()
kind = make_bookable(Office.objects.get(slug="encino"), make_physician(), weekdays=range(7))
print(json.dumps([slot.value for slot in open_slots(kind, 8)]))
"""

# One worker process, like a gunicorn worker: books each of the same eight open times.
WORKER = """
import json, sys, time
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
from scheduling.models import ConsultationType
from tests.factories import booking_details
from tests.test_scheduling_concurrency import name_for

worker, start_at, slots = int(sys.argv[1]), float(sys.argv[2]), json.loads(sys.argv[3])
kind = ConsultationType.objects.get()
forms = [booking_details(slot, kind, first_name=name_for(worker * 100 + n)) for n, slot in
         enumerate(slots)]
while time.time() < start_at:
    time.sleep(0.001)
codes = [
    Client(REMOTE_ADDR=f"10.{worker}.{n}.1").post("/book/details/", data).status_code
    for n, data in enumerate(forms)
]
print(json.dumps(codes))
"""


def test_six_processes_on_one_sqlite_file_never_book_one_slot_twice(tmp_path):
    database = tmp_path / "booking.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    # Our production settings for SQLite: WAL, IMMEDIATE transactions, a busy timeout.
    env.update(
        DJANGO_SETTINGS_MODULE="clinic_site.test_settings",
        DATABASE_URL=f"sqlite:///{database}",
        PYTHONPATH=str(ROOT),
    )

    def run(*args, **kwargs):
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, **kwargs
        )

    assert run("manage.py", "migrate", "--noinput", timeout=180).returncode == 0
    setup = run("-c", SETUP, timeout=60)
    assert setup.returncode == 0, setup.stderr
    slots = setup.stdout.strip().splitlines()[-1]
    start_at = time.time() + 6
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(n), str(start_at), slots],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(6)
    ]
    outputs = [worker.communicate(timeout=180) for worker in workers]
    codes = []
    for worker, (stdout, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr[-3000:]
        assert "database is locked" not in stderr
        codes += json.loads(stdout.strip().splitlines()[-1])
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT physician_id, starts_at, COUNT(*) FROM scheduling_appointment "
            "WHERE status = 'booked' GROUP BY physician_id, starts_at"
        ).fetchall()
    assert {count for _, _, count in rows} == {1}, codes  # never two in one slot
    # Each of the eight times went to exactly one of the six processes; the others were told.
    assert len(rows) == 8
    assert sorted(codes) == [302] * 8 + [409] * 40
