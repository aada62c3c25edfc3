"""A patient books, moves and cancels a consultation time online (test client, no browser)."""

import re
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from pages.models import Office
from scheduling.availability import booking_window, physicians_free_at
from scheduling.models import Appointment, AppointmentEmail
from scheduling.services import book_appointment
from tests.factories import booking_details, first_open_slot, make_bookable, make_physician

pytestmark = pytest.mark.django_db
OTHER = {"first_name": "Bo", "last_name": "Lee", "email": "bo@example.org", "phone": "+12133734254"}


@pytest.fixture
def kind(offices):
    return make_bookable(Office.objects.get(slug="encino"), make_physician(), notice=0)


def ics_of(message) -> icalendar.Calendar:
    (name, content, mimetype), *_ = message.attachments
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    return icalendar.Calendar.from_ical(content)


def event_of(calendar):
    return next(component for component in calendar.walk("VEVENT"))


def manage_link(message) -> str:
    return re.search(r"http://testserver(/\S*/manage/\S+/)", message.body).group(1)


def book(client, kind, slot, **overrides):
    """The patient sends the details form for this time; returns the response."""
    return client.post(
        reverse("scheduling:details"), booking_details(slot.value, kind, **overrides)
    )


@pytest.fixture
def patient(client):
    client.defaults["REMOTE_ADDR"] = "10.20.30.40"
    return client


def test_a_patient_picks_a_time_and_gets_a_confirmation_with_a_calendar_file(
    patient, kind, django_capture_on_commit_callbacks
):
    start = patient.get(reverse("scheduling:start"), {"office": "encino"})
    assert f'value="{kind.pk}"' in start.content.decode()
    week = patient.get(reverse("scheduling:times"), {"type": kind.pk}).content.decode()
    assert "All times are Pacific Time (Los Angeles)" in week
    slot = first_open_slot(kind)
    assert f'name="slot" id="slot-{slot.local:%m%d}-1" value="{slot.value}"' in week
    details = patient.get(reverse("scheduling:details"), {"type": kind.pk, "slot": slot.value})
    assert details.status_code == 200
    assert f'name="slot" value="{slot.value}"' in details.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = book(patient, kind, slot, message="Is parking free?")
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.starts_at, appointment.status) == (slot.starts_at, "booked")
    done = patient.get(response["Location"]).content.decode()
    assert appointment.reference in done and "Your appointment is booked" in done

    (message,) = mail.outbox
    assert message.to == ["ana.ruiz@example.org"]
    assert "Is parking free?" not in message.body  # never the patient's message
    calendar = ics_of(message)
    event = event_of(calendar)
    assert calendar["METHOD"] == "REQUEST"
    assert event["SEQUENCE"] == 0
    assert str(event["UID"]).startswith(str(appointment.uid))
    assert event["DTSTART"].params["TZID"] == "America/Los_Angeles"
    assert event.decoded("DTSTART") == slot.starts_at
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Los_Angeles"]
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=30)


def test_a_time_just_taken_shows_the_nearest_times_and_keeps_what_was_typed(patient, kind):
    slot = first_open_slot(kind)
    book_appointment(kind=kind, starts_at=slot.starts_at, patient=OTHER)
    response = book(patient, kind, slot, first_name="Zoë", message="Wheelchair access?")
    page = response.content.decode()
    assert response.status_code == 409
    assert "That time was just booked" in page
    assert 'value="Zoë"' in page and "Wheelchair access?" in page
    nearest = re.findall(r'name="slot" id="slot-near-\d+" value="([^"]+)"', page)
    assert nearest and slot.value not in nearest
    assert Appointment.objects.count() == 1

    # They pick one of the nearest times and send the same form again: booked.
    data = booking_details(nearest[0], kind, first_name="Zoë")
    assert patient.post(reverse("scheduling:details"), data).status_code == 302
    assert Appointment.objects.filter(first_name="Zoë").count() == 1


def test_the_same_form_sent_twice_books_one_time(patient, kind):
    slot = first_open_slot(kind)
    data = booking_details(slot.value, kind)
    first = patient.post(reverse("scheduling:details"), data)
    second = patient.post(reverse("scheduling:details"), data)
    assert first.status_code == second.status_code == 302
    assert Appointment.objects.count() == 1


def test_the_manage_link_moves_the_visit_and_the_old_link_stops_working(
    patient, kind, django_capture_on_commit_callbacks
):
    slot = first_open_slot(kind)
    with django_capture_on_commit_callbacks(execute=True):
        book(patient, kind, slot)
    old_link = manage_link(mail.outbox[0])
    page = patient.get(old_link)
    assert page.status_code == 200 and "Choose another time" in page.content.decode()
    move_page = patient.get(old_link + "move/").content.decode()
    later = re.findall(r'name="slot" id="slot-[\d-]+" value="([^"]+)"', move_page)[1]
    with django_capture_on_commit_callbacks(execute=True):
        moved = patient.post(old_link + "move/", {"slot": later})
    assert moved.status_code == 302 and moved["Location"].endswith("?moved=1")
    appointment = Appointment.objects.get()
    assert appointment.local_start.isoformat(timespec="minutes") == later
    assert physicians_free_at(kind, slot.starts_at, booking_window(kind.office))  # freed

    change = mail.outbox[1]
    event = event_of(ics_of(change))
    assert ics_of(change)["METHOD"] == "REQUEST"
    assert event["SEQUENCE"] == 1 and str(event["UID"]).startswith(str(appointment.uid))
    new_link = manage_link(change)
    assert new_link != old_link

    # The old link no longer changes anything: neither a second move nor a cancel.
    assert patient.get(old_link).status_code == 410
    assert patient.post(old_link, {}).status_code == 410
    assert patient.post(old_link + "move/", {"slot": slot.value}).status_code == 410
    appointment.refresh_from_db()
    assert appointment.status == "booked" and appointment.sequence == 1
    assert patient.get(new_link).status_code == 200


def test_cancelling_frees_the_time_at_once_and_sends_method_cancel(
    patient, kind, django_capture_on_commit_callbacks
):
    slot = first_open_slot(kind)
    with django_capture_on_commit_callbacks(execute=True):
        book(patient, kind, slot)
    link = manage_link(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        page = patient.post(link, {})
    assert page.status_code == 200 and "Your appointment is cancelled" in page.content.decode()
    assert physicians_free_at(kind, slot.starts_at, booking_window(kind.office))
    calendar = ics_of(mail.outbox[1])
    first_uid = event_of(ics_of(mail.outbox[0]))["UID"]
    assert calendar["METHOD"] == "CANCEL"
    assert event_of(calendar)["UID"] == first_uid
    assert event_of(calendar)["SEQUENCE"] == 1 and event_of(calendar)["STATUS"] == "CANCELLED"
    assert patient.get(link).status_code == 410
    # Someone else can book the freed time straight away.
    other, _ = book_appointment(kind=kind, starts_at=slot.starts_at, patient=OTHER)
    assert other.status == "booked"


def test_the_link_expires_once_the_visit_is_over(patient, kind):
    appointment, _ = book_appointment(
        kind=kind, starts_at=first_open_slot(kind).starts_at, patient=OTHER
    )
    from scheduling.links import manage_path

    link = manage_path(appointment)
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=appointment.starts_at - timedelta(days=30),
        ends_at=appointment.ends_at - timedelta(days=30),
        blocks_until=appointment.blocks_until - timedelta(days=30),
    )
    assert patient.get(link).status_code == 410
    assert patient.post(link, {}).status_code == 410
    assert Appointment.objects.get().status == "booked"


def test_spanish_pages_and_emails(patient, kind, django_capture_on_commit_callbacks):
    start = patient.get("/es/book/?office=encino").content.decode()
    assert "Reservar una consulta en línea" in start and "Primera consulta, 30 minutos" in start
    week = patient.get(f"/es/book/times/?type={kind.pk}").content.decode()
    assert "Todas las horas son del Pacífico" in week
    slot = first_open_slot(kind)
    with django_capture_on_commit_callbacks(execute=True):
        response = patient.post("/es/book/details/", booking_details(slot.value, kind))
    assert response["Location"] == "/es/book/booked/"
    assert "Su cita está reservada" in patient.get(response["Location"]).content.decode()
    (message,) = mail.outbox
    assert "está reservada" in message.subject and "/es/book/manage/" in message.body
    assert "Consulta en nuestro consultorio de Encino" in str(event_of(ics_of(message))["SUMMARY"])


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/book/times/?type=abc", 404),
        ("/book/times/?type=999999", 404),
        ("/book/details/?type=999999&slot=2026-01-01T09:00-08:00", 404),
        ("/book/manage/forged-token/", 404),
        ("/book/manage/forged-token/move/", 404),
    ],
)
def test_bad_addresses_get_a_polite_4xx(patient, kind, path, status):
    response = patient.get(path)
    assert response.status_code == status


def test_bad_input_gets_its_message_and_a_4xx(patient, kind):
    assert patient.get(f"/book/times/?type={kind.pk}&week=not-a-date").status_code == 200
    assert patient.get("/book/times/").status_code == 302
    assert patient.get("/book/?missing=type").status_code == 400
    no_slot = patient.get(f"/book/details/?type={kind.pk}")
    assert no_slot.status_code == 302 and "missing=slot" in no_slot["Location"]
    assert patient.get(no_slot["Location"]).status_code == 400
    data = booking_details("soon", kind, phone="12")
    response = patient.post(reverse("scheduling:details"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Please enter a phone number we can call" in page
    assert "Please choose a time for your visit." in page
    assert Appointment.objects.count() == 0


def test_an_office_with_online_booking_off_takes_requests_only(patient, kind):
    kind.schedule.online_booking = False
    kind.schedule.save()
    page = patient.get("/book/?office=encino").content.decode()
    assert "Request a call back from our Encino office" in page
    assert f'value="{kind.pk}"' not in page
    assert patient.get(f"/book/times/?type={kind.pk}").status_code == 404


def test_a_bot_filling_the_hidden_field_is_held_for_review_without_taking_the_time(
    patient, kind, django_capture_on_commit_callbacks
):
    slot = first_open_slot(kind)
    with django_capture_on_commit_callbacks(execute=True):
        response = book(patient, kind, slot, website="http://spam.example")
    assert response.status_code == 302
    held = Appointment.objects.get()
    assert held.status == "flagged" and held.spam_reason == "honeypot"
    assert "We have your booking request" in patient.get(response["Location"]).content.decode()
    assert mail.outbox == []
    assert physicians_free_at(kind, slot.starts_at, booking_window(kind.office))
    assert not AppointmentEmail.objects.exists()


@pytest.mark.parametrize(
    "slot", ["0001-01-01T00:00+14:00", "9999-12-31T23:59-12:00", "2026-13-01T09:00", "x" * 50]
)
def test_a_time_from_the_ends_of_the_calendar_is_refused_politely(patient, kind, slot):
    data = booking_details(slot, kind)
    response = patient.post(reverse("scheduling:details"), data)
    assert response.status_code == 400
    assert "Please choose a time for your visit." in response.content.decode()
    got = patient.get(reverse("scheduling:details"), {"type": kind.pk, "slot": slot})
    assert got.status_code == 302
