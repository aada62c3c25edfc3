"""A broken database cache never breaks the write it happens inside (PostgreSQL's aborted
transactions), and `migrate` alone makes the cache table."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from bookings.models import ConsultationRequest
from pages.models import Office, Treatment
from tests.factories import valid_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def without_cache_table(offices):
    """The cache table gone (rolled back with the test's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE django_cache")
    with pytest.raises(Exception):  # noqa: B017 - whatever the database calls it
        cache.get("anything")


def test_the_cache_table_comes_with_migrate():
    assert "django_cache" in connection.introspection.table_names()


def test_a_patients_request_is_stored_and_thanked_when_the_cache_table_is_missing(
    client, without_cache_table, offices
):
    encino = Office.objects.get(slug="encino")
    response = client.post(reverse("bookings:request"), valid_form_data(encino), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("bookings:thanks")
    stored = ConsultationRequest.objects.get()
    assert stored.office == encino
    assert stored.reference in response.content.decode()


def test_an_editors_save_survives_a_missing_cache_table(without_cache_table):
    call_command("load_demo_content", stdout=StringIO())
    assert Treatment.objects.published().filter(slug="stem-cell-therapy").exists()
    # The transaction is still usable after the failed version bumps.
    assert Office.objects.count() == 2
