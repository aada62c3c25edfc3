"""Django-side helpers for bench/run.py, run in their own process with the bench settings.

python bench/probe.py pages           the pages to load, as JSON {name: path}
python bench/probe.py queries PATHS   queries per page on a cache miss and on a hit, as JSON
python bench/probe.py post-form N     a valid consultation form body and N one-time tokens
python bench/probe.py count-requests  how many consultation requests are stored
python bench/probe.py tidy-database   vacuum and checkpoint after the POST load
"""

import json
import os
import sys
import time
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
    elif command == "tidy-database":
        result = tidy_database()
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))
