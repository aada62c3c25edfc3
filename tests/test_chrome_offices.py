import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pages.models import Office


@pytest.fixture
def cached_site(db, settings):
    settings.PAGE_CACHE_ENABLED = True
    call_command("load_demo_content", verbosity=0)


def office_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return [q["sql"] for q in queries if 'FROM "pages_office"' in q["sql"]]


def test_a_page_cache_miss_reuses_the_workers_offices_until_content_changes(client, cached_site):
    office_queries(client, "/treatments/stem-cell-therapy/")
    # Another page, not cached yet: rendered, but the header and footer offices are reused.
    assert office_queries(client, "/conditions/knee-pain/") == []
    encino = Office.objects.get(slug="encino")
    encino.street_address = "1 New Street"
    encino.save()
    # The save started a new content version: the next render reads the offices afresh.
    assert len(office_queries(client, "/conditions/hand-pain/")) == 1
    assert "1 New Street" in client.get("/conditions/hand-pain/").content.decode()


def test_pages_outside_the_page_cache_reuse_the_offices_until_content_changes(client, cached_site):
    client.get("/treatments/stem-cell-therapy/")  # a cached page starts the content version
    office_queries(client, "/search/?q=knee")
    # Search results are never page-cached, yet their header and footer reuse the offices.
    assert office_queries(client, "/search/?q=hip") == []
    encino = Office.objects.get(slug="encino")
    encino.phone = "+18185550199"
    encino.save()
    assert len(office_queries(client, "/search/?q=shoulder")) == 1
    assert "+18185550199" in client.get("/search/?q=shoulder").content.decode()
