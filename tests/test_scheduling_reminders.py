"""Reminders: due ones go out once each, in the patient's language, without their message."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from pages.models import Office
from scheduling.models import Appointment, AppointmentEmail
from scheduling.notifications import send_reminders
from scheduling.services import book_appointment, move_appointment
from tests.factories import first_open_slot, make_bookable, make_physician

pytestmark = pytest.mark.django_db
PATIENT = {
    "first_name": "Ana",
    "last_name": "Ruiz",
    "email": "ana@example.org",
    "phone": "+12133734253",
    "message": "My knee hurts after running",
}


@pytest.fixture
def appointment(offices):
    kind = make_bookable(Office.objects.get(slug="encino"), make_physician(), notice=0)
    appointment, _ = book_appointment(
        kind=kind, starts_at=first_open_slot(kind).starts_at, patient=PATIENT, language="en"
    )
    # Booked well ahead, so both reminders are due in time.
    Appointment.objects.filter(pk=appointment.pk).update(
        scheduled_at=appointment.starts_at - timedelta(days=10)
    )
    AppointmentEmail.objects.update(status="sent")  # the confirmation went out
    mail.outbox.clear()
    return Appointment.objects.get(pk=appointment.pk)


def test_two_days_and_two_hours_before_each_reminder_goes_out_once(appointment):
    start = appointment.starts_at
    assert send_reminders(now=start - timedelta(days=3)).sent == 0
    assert send_reminders(now=start - timedelta(hours=47)).sent == 1
    assert send_reminders(now=start - timedelta(hours=46)).sent == 0
    assert send_reminders(now=start - timedelta(hours=1, minutes=59)).sent == 1
    assert send_reminders(now=start - timedelta(hours=1)).sent == 0
    assert len(mail.outbox) == 2
    reminder = mail.outbox[0]
    assert reminder.subject == f"Reminder: your appointment {appointment.reference}"
    assert "16500 Ventura Boulevard, Suite 220, Encino" in reminder.body
    assert "(818) 555-0167" in reminder.body
    assert "knee" not in reminder.body  # never the patient's message
    assert reminder.attachments == []


def test_a_run_that_finds_a_reminder_already_claimed_sends_nothing(appointment):
    # Another run inserted the claim a moment ago and is sending it now.
    AppointmentEmail.objects.create(
        appointment=appointment,
        kind="reminder",
        sequence=appointment.sequence,
        lead_minutes=2880,
        status="sending",
    )
    report = send_reminders(now=appointment.starts_at - timedelta(hours=47))
    assert report.sent == 0 and mail.outbox == []


def test_a_visit_booked_the_day_before_gets_no_two_day_reminder(appointment):
    Appointment.objects.filter(pk=appointment.pk).update(
        scheduled_at=appointment.starts_at - timedelta(days=1)
    )
    assert send_reminders(now=appointment.starts_at - timedelta(hours=23)).sent == 0
    assert send_reminders(now=appointment.starts_at - timedelta(hours=1)).sent == 1


def test_a_moved_visit_is_reminded_of_its_new_time_and_a_cancelled_one_not_at_all(appointment):
    send_reminders(now=appointment.starts_at - timedelta(hours=47))
    assert len(mail.outbox) == 1
    later = appointment.starts_at + timedelta(days=7)
    from scheduling.availability import booking_window, physicians_free_at

    kind = appointment.consultation_type
    assert physicians_free_at(kind, later, booking_window(kind.office))
    moved = move_appointment(appointment_id=appointment.pk, starts_at=later)
    Appointment.objects.filter(pk=moved.pk).update(scheduled_at=later - timedelta(days=10))
    assert send_reminders(now=later - timedelta(hours=47)).sent == 1
    Appointment.objects.filter(pk=moved.pk).update(status="cancelled")
    assert send_reminders(now=later - timedelta(hours=1)).sent == 0


def test_reminders_are_in_the_patients_language(appointment):
    Appointment.objects.filter(pk=appointment.pk).update(language="es")
    send_reminders(now=appointment.starts_at - timedelta(hours=47))
    (reminder,) = mail.outbox
    assert reminder.subject.startswith("Recordatorio: su cita")
    assert "Le recordamos su cita." in reminder.body and "(hora del Pacífico)" in reminder.body


@override_settings(SCHEDULING_REMINDER_MINUTES=[24 * 60])
def test_the_reminder_times_come_from_settings_and_the_command_is_safe_to_repeat(appointment):
    out = StringIO()
    a_day_before = appointment.starts_at - timedelta(hours=23)
    with mock.patch("scheduling.notifications.timezone.now", return_value=a_day_before):
        call_command("send_appointment_reminders", stdout=out)
        call_command("send_appointment_reminders", stdout=out)
    assert "Reminders: 1 sent" in out.getvalue()
    assert "Reminders: 0 sent" in out.getvalue()
    assert len(mail.outbox) == 1


def test_an_email_that_failed_is_sent_by_the_next_run(appointment):
    from scheduling.services import cancel_appointment

    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("down")):
        cancel_appointment(appointment_id=appointment.pk)
        from scheduling.notifications import send_pending

        assert send_pending() == 0
    assert AppointmentEmail.objects.get(kind="cancellation").status == "failed"
    call_command("send_appointment_reminders", stdout=StringIO())
    assert AppointmentEmail.objects.get(kind="cancellation").status == "sent"
    assert [m.attachments[0][0] for m in mail.outbox] == ["cancel.ics"]
