"""Django-side helpers for bench/run.py, run in their own process with the bench settings.

python bench/probe.py pages           the pages to load, as JSON {name: path}
python bench/probe.py queries PATHS   queries per page on a cache miss and on a hit, as JSON
python bench/probe.py post-form N     a valid consultation form body and N one-time tokens
python bench/probe.py count-requests  how many consultation requests are stored
python bench/probe.py booking-form N  bench physicians at Encino, N one-time tokens with open times
python bench/probe.py count-appointments  how many appointments are booked
python bench/probe.py tidy-database   vacuum and checkpoint after the POST load
"""

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from pages.models import Condition, Office, Treatment  # noqa: E402

# The same 32-character CSRF secret goes in the cookie and the form, as a browser would send.
CSRF_SECRET = "benchbenchbenchbenchbenchbench01"


def pages() -> dict:
    found = {"floor": "/robots.txt", "home": "/"}
    treatment = Treatment.objects.published().order_by("pk").first()
    condition = Condition.objects.order_by("pk").first()
    office = Office.objects.filter(slug="encino").first() or Office.objects.first()
    if treatment:
        found["treatment"] = treatment.get_absolute_url()
    if condition:
        found["condition"] = condition.get_absolute_url()
    if office:
        found["office"] = office.get_absolute_url()
    try:
        found["form"] = reverse("bookings:request")
    except NoReverseMatch:
        pass
    try:
        from scheduling.models import ConsultationType

        kind = ConsultationType.objects.online().filter(schedule__office=office).first()
        if kind:
            found["book"] = f"{reverse('scheduling:times')}?type={kind.pk}"
    except (ImportError, NoReverseMatch):
        pass
    return found


def queries(paths: list[str]) -> dict:
    client = Client()
    counts = {}
    settings.PAGE_CACHE_ENABLED = True
    for path in paths:
        client.get(path)  # first use fills per-process lazies (site settings, templates)
        cache.clear()  # a new content version: nothing is cached
        # As on a live site, some other page renders first; then this page is a miss.
        client.get("/" if path != "/" else "/locations/")
        # Counted at once: the context reads a query log the next request empties.
        with CaptureQueriesContext(connection) as miss:
            status = client.get(path).status_code
        # The queries the page needs; the database cache's own reads and writes (when there is
        # no Redis) are the cache's cost, not the page's.
        page_queries = [
            q
            for q in miss
            # DECLARE: a query read through a server-side cursor (the form's choices on
            # PostgreSQL).
            if q["sql"].startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "DECLARE"))
            and "django_cache" not in q["sql"]
        ]
        counts[path] = {"status": status, "miss": len(page_queries)}
        cache.clear()
        client.get(path)
        with CaptureQueriesContext(connection) as hit:
            client.get(path)
        counts[path]["hit"] = len(hit)
    return counts


def post_form(count: int) -> dict:
    from bookings.spam import issue_form_token
    from tests.factories import valid_form_data

    office = Office.objects.filter(slug="encino").first() or Office.objects.first()
    data = valid_form_data(office, token=None)
    data["csrfmiddlewaretoken"] = CSRF_SECRET
    issued_at = time.time() - 120  # as if the form had been filled in for two minutes
    return {
        "path": reverse("bookings:request"),
        "body": urlencode(data, doseq=True),
        "cookie": f"{settings.CSRF_COOKIE_NAME}={CSRF_SECRET}",
        "tokens": [quote(issue_form_token(issued_at=issued_at), safe="") for _ in range(count)],
    }


BENCH_PHYSICIANS = 20


def booking_form(count: int) -> dict:
    """A bench kind of visit at Encino that twenty bench physicians see all day, every day, and
    `count` lines of one-time token and open time; consecutive lines ask for different times,
    as patients spread over the calendar would."""
    from datetime import time as clock

    from bookings.spam import issue_form_token
    from pages.models import Physician
    from scheduling.availability import booking_window, open_week, week_start
    from scheduling.models import ConsultationType, OfficeSchedule, WeeklyHours
    from tests.factories import booking_details

    office = Office.objects.get(slug="encino")
    schedule, _ = OfficeSchedule.objects.get_or_create(
        office=office, defaults={"online_booking": True}
    )
    kind, _ = ConsultationType.objects.get_or_create(
        schedule=schedule,
        name_en="Bench visit",
        defaults={"duration_minutes": 15, "bookable_online": True},
    )
    for n in range(BENCH_PHYSICIANS):
        physician, created = Physician.objects.get_or_create(
            slug=f"bench-{n}", defaults={"name": f"Bench {n}"}
        )
        if created:
            WeeklyHours.objects.bulk_create(
                WeeklyHours(
                    schedule=schedule,
                    physician=physician,
                    weekday=day,
                    starts=clock(0, 0),
                    ends=clock(23, 45),
                )
                for day in range(7)
            )
    window = booking_window(office)
    times, monday = [], week_start(window.first_day)
    while monday <= window.last_day:
        times += [slot.value for day in open_week(kind, monday, window) for slot in day.slots]
        monday += timedelta(days=7)
    data = booking_details("", kind, token=None, slot=None)
    data["csrfmiddlewaretoken"] = CSRF_SECRET
    issued_at = time.time() - 120
    lines = [
        quote(issue_form_token(issued_at=issued_at), safe="")
        + "&slot="
        + quote(times[n % len(times)], safe="")
        for n in range(min(count, len(times) * BENCH_PHYSICIANS))
    ]
    return {
        "path": reverse("scheduling:details"),
        "body": urlencode(data, doseq=True),
        "cookie": f"{settings.CSRF_COOKIE_NAME}={CSRF_SECRET}",
        "tokens": lines,
    }


def count_appointments() -> int:
    from scheduling.models import Appointment

    return Appointment.objects.filter(status="booked").count()


def count_requests() -> int:
    from bookings.models import ConsultationRequest

    return ConsultationRequest.objects.count()


def tidy_database() -> str:
    """After the POST load: what autovacuum would do a minute later, done before measuring."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("CHECKPOINT")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return connection.vendor


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "pages":
        result = pages()
    elif command == "queries":
        result = queries(args)
    elif command == "post-form":
        result = post_form(int(args[0]))
    elif command == "count-requests":
        result = count_requests()
    elif command == "booking-form":
        result = booking_form(int(args[0]))
    elif command == "count-appointments":
        result = count_appointments()
    elif command == "tidy-database":
        result = tidy_database()
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))
