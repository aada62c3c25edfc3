"""Front desk works appointments and call-back requests from one day view in admin."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from bookings.models import ConsultationRequest
from pages.models import Office
from pages.roles import CONTENT_EDITOR
from scheduling.availability import booking_window, office_time, physicians_free_at
from scheduling.models import Appointment, OfficeSchedule
from scheduling.services import book_appointment
from tests.factories import (
    first_open_slot,
    front_desk_group,
    make_bookable,
    make_physician,
    make_staff,
    sign_in,
    valid_form_data,
)
from tests.test_admin_roundtrip import form_data

pytestmark = pytest.mark.django_db
PATIENT = {
    "first_name": "Ana",
    "last_name": "Ruiz",
    "email": "ana@example.org",
    "phone": "+12133734253",
}
FRONT_DESK_URL = reverse("admin:scheduling_appointment_frontdesk")


@pytest.fixture
def encino(offices):
    return Office.objects.get(slug="encino")


@pytest.fixture
def kind(encino):
    return make_bookable(encino, make_physician(), notice=1)


@pytest.fixture
def desk(client):
    sign_in(client, make_staff("desk", groups=[front_desk_group()], offices="all"))
    return client


def day_view(client, office, moment, **params):
    day = office_time(moment).date().isoformat()
    return client.get(FRONT_DESK_URL, {"office": office.pk, "day": day, **params})


def test_the_day_view_lists_appointments_free_time_and_waiting_call_backs(desk, kind, encino):
    slot = first_open_slot(kind)
    appointment, _ = book_appointment(kind=kind, starts_at=slot.starts_at, patient=PATIENT)
    desk.post(reverse("bookings:request"), valid_form_data(encino))
    request = ConsultationRequest.objects.get()
    page = day_view(desk, encino, slot.starts_at).content.decode()
    assert appointment.reference in page and "Ana Ruiz" in page
    assert "Free (" in page
    assert reverse("admin:bookings_consultationrequest_change", args=[request.pk]) in page
    week = day_view(desk, encino, slot.starts_at, view="week").content.decode()
    assert re.search(r"<td>1</td>", week)


def test_front_desk_books_a_patient_on_the_phone_and_the_patient_gets_the_calendar_file(
    desk, kind, encino, django_capture_on_commit_callbacks
):
    slot = first_open_slot(kind)
    url = reverse("admin:scheduling_appointment_book")
    query = f"?office={encino.pk}&day={slot.local.date()}&type={kind.pk}"
    page = desk.get(url + query).content.decode()
    assert f'value="{slot.value}"' in page
    data = {
        "slot": slot.value,
        "first_name": "Luis",
        "last_name": "Soto",
        "email": "luis@example.org",
        "phone": "818-555-0100",
        "language": "es",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(url + query, data)
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.booked_by.username == "desk" and appointment.language == "es"
    (message,) = mail.outbox
    assert message.subject.startswith("Su cita") and message.attachments
    # The same time again: it is taken, said plainly.
    again = desk.post(url + query, {**data, "first_name": "Other"})
    assert again.status_code == 400 and "That time was just booked" in again.content.decode()


def test_front_desk_moves_cancels_and_marks_no_shows(
    desk, kind, encino, django_capture_on_commit_callbacks
):
    slot = first_open_slot(kind)
    appointment, _ = book_appointment(kind=kind, starts_at=slot.starts_at, patient=PATIENT)
    move_url = reverse("admin:scheduling_appointment_move", args=[appointment.pk])
    page = desk.get(move_url).content.decode()
    later = re.findall(r'name="slot" value="([^"]+)"', page)[-1]
    with django_capture_on_commit_callbacks(execute=True):
        assert desk.post(move_url, {"slot": later}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.local_start.isoformat(timespec="minutes") == later
    assert appointment.events.last().by.username == "desk"

    # Not yet begun: it cannot be a no-show.
    noshow_url = reverse("admin:scheduling_appointment_noshow", args=[appointment.pk])
    desk.post(noshow_url)
    assert Appointment.objects.get().status == "booked"

    with django_capture_on_commit_callbacks(execute=True):
        desk.post(reverse("admin:scheduling_appointment_cancel", args=[appointment.pk]))
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert [m.attachments[0][0] for m in mail.outbox] == ["appointment.ics", "cancel.ics"]
    assert physicians_free_at(kind, appointment.starts_at, booking_window(encino))
    history = [e.action for e in appointment.events.all()]
    assert history == ["booked", "moved", "cancelled"]

    # A visit that has begun can be marked a no-show.
    past = first_open_slot(kind).starts_at
    other, _ = book_appointment(kind=kind, starts_at=past, patient=PATIENT)
    Appointment.objects.filter(pk=other.pk).update(
        starts_at=other.starts_at - timedelta(days=60),
        ends_at=other.ends_at - timedelta(days=60),
        blocks_until=other.blocks_until - timedelta(days=60),
    )
    desk.post(reverse("admin:scheduling_appointment_noshow", args=[other.pk]))
    assert Appointment.objects.get(pk=other.pk).status == "no_show"


def test_front_desk_sets_an_offices_hours_and_patients_see_the_times(desk, encino, client):
    physician = make_physician()
    add = reverse("admin:scheduling_officeschedule_add")
    data = form_data(desk.get(add).content.decode())
    data.update(
        office=[str(encino.pk)],
        online_booking=["on"],
        minimum_notice_days=["1"],
        booking_window_days=["60"],
        _save=[""],
    )
    data.update(
        {
            "consultation_types-TOTAL_FORMS": ["1"],
            "consultation_types-0-name_en": ["Follow-up visit"],
            "consultation_types-0-duration_minutes": ["20"],
            "consultation_types-0-buffer_minutes": ["0"],
            "consultation_types-0-bookable_online": ["on"],
            "weekly_hours-TOTAL_FORMS": ["5"],
        }
    )
    for day in range(5):
        data.update(
            {
                f"weekly_hours-{day}-physician": [str(physician.pk)],
                f"weekly_hours-{day}-weekday": [str(day)],
                f"weekly_hours-{day}-starts": ["09:00"],
                f"weekly_hours-{day}-ends": ["10:00"],
            }
        )
    response = desk.post(add, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    kind = OfficeSchedule.objects.get(office=encino).consultation_types.get()
    slot = first_open_slot(kind)
    assert f"{slot.local:%H:%M}" in {"09:00", "09:20", "09:40"}
    assert slot.local.weekday() < 5


def test_staff_without_the_permission_cannot_see_appointments(client, kind):
    sign_in(client, make_staff("editor", groups=[Group.objects.get(name=CONTENT_EDITOR)]))
    assert client.get(FRONT_DESK_URL).status_code == 403
    assert client.get(reverse("admin:scheduling_appointment_changelist")).status_code == 403


def test_front_desk_group_can_work_appointments_but_not_delete_them():
    perms = set(front_desk_group().permissions.values_list("codename", flat=True))
    assert {"view_appointment", "add_appointment", "change_appointment"} <= perms
    assert "delete_appointment" not in perms
    assert "change_weeklyhours" in perms and "view_consultationrequest" in perms


def test_the_appointment_list_leads_to_the_day_view_and_to_booking(desk, kind):
    page = desk.get(reverse("admin:scheduling_appointment_changelist")).content.decode()
    assert FRONT_DESK_URL in page and reverse("admin:scheduling_appointment_book") in page


def test_a_front_desk_member_works_only_their_offices_appointments_and_each_look_is_recorded(
    client, kind, encino
):
    from staff.models import AccessRecord

    los_angeles = Office.objects.get(slug="los-angeles")
    elsewhere = make_bookable(los_angeles, make_physician(slug="other-md"), notice=1)
    theirs = book_appointment(
        kind=elsewhere, starts_at=first_open_slot(elsewhere).starts_at, patient=PATIENT
    )[0]
    sign_in(client, make_staff("encino-desk", groups=[front_desk_group()], offices=[encino]))
    assert (
        client.get(reverse("admin:scheduling_appointment_change", args=[theirs.pk])).status_code
        == 404
    )
    listing = client.get(reverse("admin:scheduling_appointment_changelist")).content.decode()
    assert theirs.reference not in listing
    page = client.get(FRONT_DESK_URL, {"office": los_angeles.pk}).content.decode()
    assert "Front desk: Encino" in page  # never another office's day
    assert AccessRecord.objects.filter(username="encino-desk", detail__contains="Encino").exists()
