"""Emails to the patient about an appointment: recorded first, sent after commit, at most once.

Each email is a row (AppointmentEmail) claimed with a conditional update before sending, so a
cron run and the request that made it never both send it. Failures are recorded, never raised;
send_appointment_reminders retries them.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from bookings.notifications import single_line

from .links import manage_url
from .models import Appointment, AppointmentEmail

logger = logging.getLogger(__name__)

Kind = AppointmentEmail.Kind
Status = AppointmentEmail.Status
# A send that crashed half-way is given up, never repeated: at most once beats twice.
MAX_ATTEMPTS = 10


def queue_email(appointment: Appointment, kind: str) -> None:
    """Record an email for the appointment as it is now, and send it once this commits."""
    if not appointment.email:
        return
    email = AppointmentEmail.objects.create(
        appointment=appointment, kind=kind, sequence=appointment.sequence
    )
    transaction.on_commit(lambda: deliver(email.pk), robust=True)


def out_of_date(email: AppointmentEmail) -> bool:
    """A confirmation or reminder for a time that has since changed is not sent."""
    appointment = email.appointment
    if email.kind == Kind.CANCELLATION:
        return False
    if appointment.status != Appointment.Status.BOOKED:
        return True
    if email.kind == Kind.REMINDER:
        return appointment.starts_at <= timezone.now() or email.sequence != appointment.sequence
    return email.sequence != appointment.sequence


def _claim(pk: int, now) -> bool:
    claimed = AppointmentEmail.objects.filter(
        pk=pk, status__in=[Status.PENDING, Status.FAILED], attempts__lt=MAX_ATTEMPTS
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now)
    return claimed == 1


def deliver(pk: int) -> bool:
    """Send one recorded email if nobody else is sending it; True when it went out."""
    try:
        if not _claim(pk, timezone.now()):
            return False
        email = AppointmentEmail.objects.select_related(
            "appointment__office", "appointment__physician", "appointment__consultation_type"
        ).get(pk=pk)
        if out_of_date(email):
            _record(pk, status=Status.SKIPPED)
            return False
        build_message(email).send(fail_silently=False)
    except Exception as error:  # recorded, never raised: the booking is already saved
        logger.exception("Appointment email %s could not be sent", pk)
        _record(pk, status=Status.FAILED, last_error=f"{type(error).__name__}: {error}"[:300])
        return False
    _record(pk, status=Status.SENT, sent_at=timezone.now(), last_error="")
    return True


def _record(pk: int, **outcome) -> None:
    try:
        AppointmentEmail.objects.filter(pk=pk).update(**outcome)
    except Exception:
        logger.exception("Could not record the outcome of appointment email %s", pk)


SUBJECTS = {
    Kind.CONFIRMATION: lambda: gettext("Your appointment %(reference)s is booked"),
    Kind.CHANGE: lambda: gettext("Your appointment %(reference)s has a new time"),
    Kind.CANCELLATION: lambda: gettext("Your appointment %(reference)s is cancelled"),
    Kind.REMINDER: lambda: gettext("Reminder: your appointment %(reference)s"),
}


def build_message(email: AppointmentEmail) -> EmailMultiAlternatives:
    """The email in the patient's language, with the calendar file (or its cancellation)."""
    appointment = email.appointment
    office = appointment.office
    with translation.override(appointment.language_code):
        context = {
            "appointment": appointment,
            "office": office,
            "kind": email.kind,
            "site_name": settings.SITE_NAME,
            "manage_url": manage_url(appointment) if email.kind != Kind.CANCELLATION else "",
            "book_url": settings.SITE_URL + _book_path(),
            "office_zone": settings.SCHEDULING_TIME_ZONE,
        }
        subject = SUBJECTS[email.kind]() % {"reference": appointment.reference}
        body = render_to_string("scheduling/email/appointment.txt", context)
    message = EmailMultiAlternatives(
        single_line(subject),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [appointment.email],
        reply_to=[office.consultation_email],
    )
    if email.kind != Kind.REMINDER:
        # Imported here: icalendar adds megabytes to every page worker, and only emails use it.
        from .calendar_files import calendar_file

        cancel = email.kind == Kind.CANCELLATION
        method = "CANCEL" if cancel else "REQUEST"
        message.attach(
            "cancel.ics" if cancel else "appointment.ics",
            calendar_file(appointment, cancel=cancel),
            f"text/calendar; charset=utf-8; method={method}",
        )
    return message


def _book_path() -> str:
    from django.urls import reverse

    return reverse("scheduling:start")


def reminder_leads() -> list[timedelta]:
    return [timedelta(minutes=m) for m in settings.SCHEDULING_REMINDER_MINUTES]


@dataclass
class ReminderReport:
    queued: int = 0
    sent: int = 0
    failed: int = 0


def send_reminders(*, now=None) -> ReminderReport:
    """Claim and send each reminder that is due; safe to run twice at once.

    A reminder is due when the visit is within its lead time, the time was chosen before the
    reminder would have gone out (a booking made the day before gets no "in 2 days" email) and
    the visit has not begun. The unique row per appointment, time and lead is the claim.
    """
    now = now or timezone.now()
    report = ReminderReport()
    for lead in sorted(reminder_leads(), reverse=True):
        minutes = int(lead.total_seconds() // 60)
        due = (
            Appointment.objects.upcoming(now)
            .filter(starts_at__lte=now + lead, scheduled_at__lte=F("starts_at") - lead)
            .exclude(email="")
            .exclude(
                Exists(
                    AppointmentEmail.objects.filter(
                        appointment=OuterRef("pk"),
                        kind=Kind.REMINDER,
                        lead_minutes=minutes,
                        sequence=OuterRef("sequence"),
                    )
                )
            )
        )
        for appointment in due.only("pk", "sequence"):
            try:
                with transaction.atomic():
                    email = AppointmentEmail.objects.create(
                        appointment=appointment,
                        kind=Kind.REMINDER,
                        sequence=appointment.sequence,
                        lead_minutes=minutes,
                    )
            except IntegrityError:
                continue  # another run claimed it first
            report.queued += 1
            if deliver(email.pk):
                report.sent += 1
            else:
                report.failed += 1
    return report


def send_pending(*, now=None) -> int:
    """Retry emails that failed or were never sent (SMTP down); returns how many went out."""
    sent = 0
    for pk in AppointmentEmail.objects.filter(
        status__in=[Status.PENDING, Status.FAILED], attempts__lt=MAX_ATTEMPTS
    ).values_list("pk", flat=True):
        sent += deliver(pk)
    return sent
