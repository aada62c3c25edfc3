"""Emails about a request: the office inbox and the patient. Failures are recorded, never raised."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from staff.offices import staff_emails_for_office

from .models import ConsultationRequest, Notification

logger = logging.getLogger(__name__)


def single_line(text: str) -> str:
    """Collapse all whitespace, newlines included, so nothing can start a new email header."""
    return " ".join(str(text).split())


@dataclass(frozen=True)
class Email:
    subject: str
    body: str
    to: list[str]
    reply_to: tuple[str, ...] = ()


def send_email(email: Email) -> None:
    """Send from the site's address; raises whatever the mail backend raises."""
    EmailMessage(
        single_line(email.subject),
        email.body,
        settings.DEFAULT_FROM_EMAIL,
        email.to,
        reply_to=list(email.reply_to),
    ).send()


def build_email(notification: Notification) -> Email:
    """The email in its reader's language: staff read English, the patient their own."""
    consultation = notification.consultation
    context = {
        "consultation": consultation,
        "office": consultation.office,
        "site_name": settings.SITE_NAME,
        "admin_url": settings.SITE_URL + consultation.get_admin_url(),
    }
    if notification.kind == Notification.Kind.OFFICE:
        # Sent from a Spanish page too, so English is chosen here, not inherited.
        with translation.override(settings.LANGUAGE_CODE):
            return Email(
                subject=f"New consultation request {consultation.reference} "
                f"({consultation.office.name} office)",
                body=render_to_string("bookings/email/office_notification.txt", context),
                to=[
                    consultation.office.consultation_email,
                    *settings.BOOKINGS_FRONT_DESK_EMAILS,
                    # Staff of this office (or of all offices) who asked for these emails.
                    *staff_emails_for_office(consultation.office),
                ],
            )
    # Cron and admin resends run in English; the request remembers the patient's language.
    with translation.override(consultation.language_code):
        return Email(
            subject=gettext("We received your consultation request %(reference)s")
            % {"reference": consultation.reference},
            body=render_to_string("bookings/email/patient_acknowledgement.txt", context),
            to=[consultation.email],
            # A reply reaches the office's front desk, not a no-reply box.
            reply_to=(consultation.office.consultation_email,),
        )


def queue_notifications(consultation: ConsultationRequest, *, new: bool = False) -> None:
    """Record the emails a request needs and send them once the transaction has committed.

    new: the request was saved in this transaction, so it has no notifications yet; they are
    inserted at once and sent from memory (request and office as loaded) without reading back.
    """
    if new:
        notifications = Notification.objects.bulk_create(
            Notification(consultation=consultation, kind=kind)
            for kind in consultation.notification_kinds
        )
        # robust: whatever happens while sending, the patient still gets the thanks page.
        transaction.on_commit(lambda: send_notifications(notifications), robust=True)
        return
    for kind in consultation.notification_kinds:
        Notification.objects.get_or_create(consultation=consultation, kind=kind)
    pk = consultation.pk
    transaction.on_commit(lambda: send_notifications_for(pk), robust=True)


def _claim(notification: Notification) -> bool:
    """Mark the notification as being sent, unless another process got to it first."""
    now = timezone.now()
    # Conditions on this table only, plus the attempt count we read: PostgreSQL re-checks them
    # on the locked row, so of two processes racing for one email exactly one wins.
    claimed = (
        Notification.objects.claimable(now)
        .filter(pk=notification.pk, attempts=notification.attempts)
        .update(status=Notification.Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now)
    )
    return claimed == 1


def deliver(notification: Notification) -> bool:
    """Send one notification if nobody else is; True when it went out."""
    try:
        if notification.consultation.is_spam or not _claim(notification):
            return False
        send_email(build_email(notification))
    except Exception as error:  # any failure must be recorded, never raised
        logger.exception("Notification %s could not be sent", notification.pk)
        _record(notification.pk, status=Notification.Status.FAILED, last_error=describe(error))
        return False
    _record(notification.pk, status=Notification.Status.SENT, sent_at=timezone.now(), last_error="")
    return True


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def _record(pk: int, **outcome) -> None:
    try:
        Notification.objects.filter(pk=pk).update(**outcome)
    except Exception:  # the database is gone too; the sending timeout lets cron retry
        logger.exception("Could not record the outcome of notification %s", pk)


def send_notifications(notifications: list[Notification]) -> None:
    """Send a new request's emails, just committed; never raises.

    Each is still claimed first (compare-and-swap), so a cron run at the same moment cannot
    send it twice; one not sent here stays pending or failed for send_pending_notifications.
    """
    if not all(notification.pk for notification in notifications):
        # A backend that returns no ids from a bulk insert: read them back instead.
        send_notifications_for(notifications[0].consultation_id)
        return
    for notification in notifications:
        deliver(notification)


def send_notifications_for(consultation_pk: int) -> None:
    """Send what is pending for one request; runs after commit and never raises."""
    try:
        pending = list(Notification.objects.retryable().filter(consultation_id=consultation_pk))
    except Exception:  # the request is saved; cron will retry
        logger.exception("Could not read notifications of request %s", consultation_pk)
        return
    for notification in pending:
        deliver(notification)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    given_up: int = 0


def send_pending() -> SendReport:
    """Send every notification still pending or failed; safe to run twice, even at once."""
    report = SendReport()
    for notification in Notification.objects.retryable().select_related("consultation__office"):
        if deliver(notification):
            report.sent += 1
        elif Notification.objects.filter(
            pk=notification.pk, status=Notification.Status.FAILED
        ).exists():
            report.failed += 1
    report.given_up = (
        Notification.objects.filter(
            ~Q(status=Notification.Status.SENT),
            attempts__gte=settings.BOOKINGS_NOTIFICATION_MAX_ATTEMPTS,
        )
        .exclude(consultation__status=ConsultationRequest.Status.SPAM)
        .count()
    )
    return report
