"""Emails after commit: the office inbox and the patient; failures recorded and retried."""

import io
import threading
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from bookings.models import ConsultationRequest, Notification
from bookings.notifications import deliver
from bookings.services import change_status
from tests.factories import valid_form_data

MESSAGE = "Secret question about parking and my appointment time."


@pytest.fixture
def encino(offices):
    return next(o for o in offices if o.slug == "encino")


def submit(client, office, capture, **overrides):
    with capture(execute=True):
        response = client.post("/consultation/", valid_form_data(office, **overrides))
    assert response.status_code == 302
    return ConsultationRequest.objects.latest("created_at")


def send_pending() -> str:
    out = io.StringIO()
    call_command("send_pending_notifications", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_office_and_patient_get_an_email_without_the_message(
    client, encino, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.BOOKINGS_FRONT_DESK_EMAILS = ["manager@example.org"]
    consultation = submit(
        client, encino, django_capture_on_commit_callbacks, message=MESSAGE, first_name="José"
    )
    office_mail, patient_mail = sorted(
        mailoutbox, key=lambda m: m.to[0] != encino.consultation_email
    )

    assert office_mail.to == [encino.consultation_email, "manager@example.org"]
    assert consultation.reference in office_mail.subject
    admin_link = f"http://testserver{consultation.get_admin_url()}"
    assert admin_link in office_mail.body

    assert patient_mail.to == [consultation.email]
    assert consultation.reference in patient_mail.subject
    assert consultation.reference in patient_mail.body
    assert patient_mail.body.startswith("Hello,")
    assert "José" not in patient_mail.body
    assert encino.phone_display in patient_mail.body

    for message in mailoutbox:
        assert MESSAGE not in message.body
        assert MESSAGE not in message.subject
    assert set(consultation.notifications.values_list("status", flat=True)) == {"sent"}


def test_the_patients_email_comes_from_the_clinic_and_replies_reach_the_office(
    client, encino, mailoutbox, django_capture_on_commit_callbacks, settings
):
    consultation = submit(client, encino, django_capture_on_commit_callbacks)
    patient_mail = next(m for m in mailoutbox if m.to == [consultation.email])
    assert patient_mail.from_email == settings.DEFAULT_FROM_EMAIL
    assert patient_mail.from_email.startswith(settings.SITE_NAME)
    assert "no-reply" not in patient_mail.from_email
    assert patient_mail.reply_to == [encino.consultation_email]
    body = " ".join(patient_mail.body.split())
    # How to reach the office, and replies welcome, but never medical details by email.
    assert f"call {encino.phone_display}" in body
    assert "You can reply to this email to reach our Encino front desk." in body
    assert "Please do not send medical records or details of your condition by email" in body
    assert "do not reply" not in body.lower()


def test_emails_go_only_after_the_request_is_committed(
    client, encino, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/consultation/", valid_form_data(encino))
    assert mailoutbox == []
    assert ConsultationRequest.objects.count() == 1
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 2


def test_request_is_kept_when_email_is_down_and_the_command_sends_it_later(
    client, encino, mailoutbox, django_capture_on_commit_callbacks
):
    with mock.patch(
        "bookings.notifications.send_email", side_effect=OSError("SMTP server unreachable")
    ):
        consultation = submit(client, encino, django_capture_on_commit_callbacks)
    assert mailoutbox == []
    failed = list(consultation.notifications.all())
    assert [n.status for n in failed] == ["failed", "failed"]
    assert all("SMTP server unreachable" in n.last_error for n in failed)
    assert all(n.attempts == 1 for n in failed)

    assert "Sent 2, failed 0." in send_pending()
    assert len(mailoutbox) == 2
    assert set(consultation.notifications.values_list("status", flat=True)) == {"sent"}

    # Safe to run twice: nothing is sent again.
    assert "Sent 0, failed 0." in send_pending()
    assert len(mailoutbox) == 2


def test_a_failing_email_backend_is_recorded_too(
    client, encino, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard port: nothing listens, the connection is refused
    settings.EMAIL_TIMEOUT = 2
    consultation = submit(client, encino, django_capture_on_commit_callbacks)
    assert ConsultationRequest.objects.filter(pk=consultation.pk).exists()
    assert set(consultation.notifications.values_list("status", flat=True)) == {"failed"}


def test_the_command_gives_up_after_the_configured_attempts(
    client, encino, settings, django_capture_on_commit_callbacks
):
    settings.BOOKINGS_NOTIFICATION_MAX_ATTEMPTS = 2
    with mock.patch("bookings.notifications.send_email", side_effect=OSError("down")):
        consultation = submit(client, encino, django_capture_on_commit_callbacks)
        assert "failed 2" in send_pending()
        err = io.StringIO()
        call_command("send_pending_notifications", stdout=io.StringIO(), stderr=err)
    assert "no longer retried" in err.getvalue()
    assert {n.attempts for n in consultation.notifications.all()} == {2}


def test_a_notification_claimed_by_another_process_is_not_sent_twice(
    client, encino, mailoutbox, django_capture_on_commit_callbacks
):
    with mock.patch("bookings.notifications.send_email", side_effect=OSError("down")):
        consultation = submit(client, encino, django_capture_on_commit_callbacks)
    notification = consultation.notifications.first()
    stale_copy = Notification.objects.get(pk=notification.pk)
    assert deliver(notification) is True
    assert deliver(stale_copy) is False
    assert len(mailoutbox) == 1


def test_a_name_that_tries_to_add_email_headers_is_refused_and_nothing_is_sent(
    client, encino, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/consultation/",
            valid_form_data(
                encino,
                first_name="Eve\nBcc: victim@example.com",
                last_name="Smith\r\nX-Injected: yes",
            ),
        )
    assert response.status_code == 400
    assert ConsultationRequest.objects.count() == 0
    assert mailoutbox == []


def test_the_acknowledgement_reads_the_same_whatever_was_typed_as_a_name(
    client, encino, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = submit(
        client, encino, django_capture_on_commit_callbacks, first_name="Rebook Now", last_name="Hi"
    )
    patient_mail = next(m for m in mailoutbox if m.to == [consultation.email])
    assert patient_mail.body.startswith("Hello,\n")
    assert "Rebook" not in patient_mail.body and "Rebook" not in patient_mail.subject


def test_spam_gets_no_email_until_staff_say_it_is_not_spam(
    client, encino, mailoutbox, django_capture_on_commit_callbacks, admin_user
):
    consultation = submit(
        client, encino, django_capture_on_commit_callbacks, website="http://buy.example"
    )
    assert mailoutbox == []
    assert "Sent 0" in send_pending()

    with django_capture_on_commit_callbacks(execute=True):
        change_status(consultation, ConsultationRequest.Status.NEW, by=admin_user)
    assert len(mailoutbox) == 2
    assert set(consultation.notifications.values_list("status", flat=True)) == {"sent"}


def test_marking_spam_stops_pending_emails(
    client, encino, mailoutbox, django_capture_on_commit_callbacks, admin_user
):
    with mock.patch("bookings.notifications.send_email", side_effect=OSError("down")):
        consultation = submit(client, encino, django_capture_on_commit_callbacks)
    change_status(consultation, ConsultationRequest.Status.SPAM, by=admin_user)
    assert "Sent 0" in send_pending()
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_two_cron_runs_at_once_send_each_email_once(client, offices, mailoutbox):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.skip("threads need a database file or server; covered on PostgreSQL")
    encino = next(o for o in offices if o.slug == "encino")
    with mock.patch("bookings.notifications.send_email", side_effect=OSError("down")):
        for n in range(5):
            client.post("/consultation/", valid_form_data(encino), REMOTE_ADDR=f"192.0.2.{n + 1}")
    assert Notification.objects.filter(status="failed").count() == 10

    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        try:
            call_command("send_pending_notifications", stdout=io.StringIO())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(mail.outbox) == 10
    assert Notification.objects.filter(status="sent").count() == 10
