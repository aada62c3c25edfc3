"""The database goes away while a patient has the form open, or right after their request was
stored: they keep what they typed, or see their reference, never the generic error page."""

import contextlib
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.urls import reverse

from bookings.models import ConsultationRequest
from bookings.views import THANKS_COOKIE
from pages.models import Office
from tests.factories import valid_form_data

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def database_down():
    """Every query fails, as when PostgreSQL restarts under load."""
    gone = OperationalError("could not connect to server: Connection refused")
    with mock.patch.object(CursorWrapper, "execute", side_effect=gone):
        yield


class KeptForm(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields, self.textarea = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.fields.append((attrs["name"], attrs.get("value", "")))
        if tag == "textarea":
            self.textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea:
            self.fields.append(tuple(self.textarea))
            self.textarea = None


def posted_again(html: str) -> dict:
    reader = KeptForm()
    reader.feed(html.split('id="consultation-form"', 1)[1])
    data: dict = {}
    for name, value in reader.fields:
        data.setdefault(name, []).append(value)
    return data


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_patient_keeps_what_they_typed_when_the_database_goes_away(client, offices, language):
    client.raise_request_exception = False
    encino = Office.objects.get(slug="encino")
    typed = valid_form_data(encino, first_name="Zoë", message="Please call after 3 pm.")
    url = "/es/consultation/" if language == "es" else "/consultation/"
    with database_down():
        response = client.post(url, typed)
    page = response.content.decode()
    assert response.status_code == 503
    assert 'id="main-content"' in page  # the site's layout
    assert "(818) 555-0167" in page  # phones from settings, not the database
    assert 'value="Zoë"' in page and "Please call after 3 pm." in page
    if language == "es":
        assert "Enviar mi solicitud" in page
    assert ConsultationRequest.objects.count() == 0

    # The database is back: the patient presses "Send my request" on that page.
    sent = client.post(url, posted_again(page))
    assert sent.status_code == 302
    stored = ConsultationRequest.objects.get()
    assert stored.first_name == "Zoë" and stored.office == encino
    assert stored.message == "Please call after 3 pm."


def test_the_thanks_page_needs_no_database_after_the_request_was_stored(client, offices):
    client.raise_request_exception = False
    encino = Office.objects.get(slug="encino")
    sent = client.post(reverse("bookings:request"), valid_form_data(encino))
    assert sent.status_code == 302
    reference = ConsultationRequest.objects.get().reference
    with database_down():
        response = client.get(reverse("bookings:thanks"))
    assert response.status_code == 200
    page = response.content.decode()
    assert reference in page and "we have your request" in page
    assert client.cookies[THANKS_COOKIE].value  # the reference came from this signed cookie
