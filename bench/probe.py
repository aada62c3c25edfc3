"""Django-side helpers for bench/run.py, run in their own process with the bench settings.

python bench/probe.py pages           the pages to load, as JSON {name: path}
python bench/probe.py queries PATHS   queries per page on a cache miss and on a hit, as JSON
python bench/probe.py post-form N     a valid consultation form body and N one-time tokens
python bench/probe.py count-requests  how many consultation requests are stored
python bench/probe.py booking-form N  bench physicians at Encino, N one-time tokens with open times
python bench/probe.py count-appointments  how many appointments are booked
python bench/probe.py tidy-database   vacuum and checkpoint after the POST load
python bench/probe.py admin-scale N   seed N consultation requests (bulk), then time the front
                                      desk's request list, searches, change page and admin index
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


FIRST_NAMES = (
    "Ana Beatriz Carlos Diana Elena Fernando Gloria Hector Irene Jorge Karen Luis Maria Nora "
    "Oscar Paula Quinn Rosa Samuel Teresa Ursula Victor Wendy Ximena Yolanda Zoe James Mary "
    "Robert Linda Michael Susan David Karen Daniel Lisa Kevin Nancy Brian Emily"
).split()
LAST_NAMES = (
    "Garcia Martinez Lopez Gonzalez Rodriguez Hernandez Perez Sanchez Ramirez Torres Flores "
    "Rivera Gomez Diaz Reyes Cruz Morales Ortiz Gutierrez Chavez Smith Johnson Williams Brown "
    "Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson Martin Lee Thompson White "
    "Harris Clark Lewis Nakamura Kim Nguyen Patel Cohen Levy Friedman Khan Ali Singh"
).split()
# Years of a busy practice plus a spam flood: mostly closed and spam, some still being worked.
STATUS_WEIGHTS = {"closed": 45, "spam": 40, "contacted": 7, "scheduled": 5, "new": 3}


def seed_requests(total: int) -> int:
    """Bring the number of consultation requests up to total with bulk inserts; quick."""
    import random
    from datetime import timedelta

    from django.utils import timezone

    from bookings import consent
    from bookings.models import ConsultationRequest
    from bookings.services import REFERENCE_ALPHABET

    have = ConsultationRequest.objects.count()
    offices = list(Office.objects.order_by("pk"))
    rng = random.Random(15)
    statuses = [s for s, weight in STATUS_WEIGHTS.items() for _ in range(weight)]
    now = timezone.now()
    base = len(REFERENCE_ALPHABET)
    # The bench's own POSTs drew random references from the same space: never reuse one.
    taken = set(ConsultationRequest.objects.values_list("reference", flat=True))
    batch = []
    for number in range(have, total):
        office = offices[number % len(offices)]
        suffix, n = "", number + 1_000_000
        for _ in range(6):
            n, digit = divmod(n, base)
            suffix = REFERENCE_ALPHABET[digit] + suffix
        reference = f"{office.reference_prefix}-{suffix}"
        if reference in taken:
            continue
        status = rng.choice(statuses)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        created = now - timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        batch.append(
            ConsultationRequest(
                reference=reference,
                first_name=first,
                last_name=last,
                email=f"{first}.{last}{number}@example.org".lower(),
                phone=f"+1818{rng.randrange(10**7):07d}",
                office=office,
                patient_status="new",
                contact_method="phone",
                message="Could someone call me about my knee?",
                consent_version=consent.CURRENT.version,
                consent_text=consent.CURRENT.contact,
                consent_to_contact=True,
                consented_at=created,
                form_token=f"seed-{number}",
                status=status,
                spam_reason="honeypot" if status == "spam" else "",
                created_at=created,
            )
        )
        if len(batch) == 5000:
            ConsultationRequest.objects.bulk_create(batch)
            batch = []
    ConsultationRequest.objects.bulk_create(batch)
    return ConsultationRequest.objects.count() - have


def admin_scale(total: int, runs: int = 15) -> dict:
    """Seed, then time each admin page as an Encino front-desk member (median and p90, ms)."""
    from statistics import median

    from django.contrib.auth.models import Group, User
    from django.db.models import Max
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bookings.models import ConsultationRequest
    from bookings.roles import FRONT_DESK
    from staff.models import AccessRecord, StaffProfile

    started = time.perf_counter()
    added = seed_requests(total)
    seed_seconds = time.perf_counter() - started
    tidy_database()

    user, created = User.objects.get_or_create(username="bench-desk", defaults={"is_staff": True})
    if created:
        user.groups.add(Group.objects.get(name=FRONT_DESK))
        encino = Office.objects.filter(slug="encino").first() or Office.objects.first()
        StaffProfile.objects.create(user=user).offices.add(encino)
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app"
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    mine = ConsultationRequest.objects.filter(office__staff_profiles__user=user)
    sample = mine.filter(pk=mine.aggregate(top=Max("pk"))["top"]).get()
    changelist = reverse("admin:bookings_consultationrequest_changelist")
    typed_phone = f"(818) {sample.phone[5:8]}-{sample.phone[8:]}"  # as staff type it
    pages_to_time = {
        "admin index": reverse("admin:index"),
        "request list": changelist,
        "search by name": f"{changelist}?q={quote(sample.last_name)}",
        "search by full name": f"{changelist}?q={quote(sample.full_name)}",
        "search by phone": f"{changelist}?q={quote(typed_phone)}",
        "search by email": f"{changelist}?q={quote(sample.email)}",
        "search by reference": f"{changelist}?q={sample.reference}",
        "change page": reverse("admin:bookings_consultationrequest_change", args=[sample.pk]),
    }
    records_before = AccessRecord.objects.count()
    figures = {}
    for name, path in pages_to_time.items():
        client.get(path)  # warm: templates, per-process lazies
        timings = []
        for _ in range(runs):
            begin = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        with CaptureQueriesContext(connection) as counted:
            client.get(path)
        timings.sort()
        figures[name] = {
            "path": path,
            "median_ms": round(median(timings), 1),
            "p90_ms": round(timings[int(len(timings) * 0.9) - 1], 1),
            "queries": len(counted),
        }
    return {
        "requests": ConsultationRequest.objects.count(),
        "seeded": added,
        "seed_seconds": round(seed_seconds, 1),
        "access_records_written": AccessRecord.objects.count() - records_before,
        "pages": figures,
    }


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
    elif command == "admin-scale":
        result = admin_scale(int(args[0]))
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))
