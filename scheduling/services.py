"""Every write to appointments goes through these small functions.

No two appointments of one physician overlap: on PostgreSQL an exclusion constraint refuses the
second insert even from another app server; on SQLite each check-then-write below runs inside
one IMMEDIATE transaction, which takes the database's single write lock at BEGIN, so two
bookings are never checked at the same time.
"""

import secrets
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from bookings.consent import consent_evidence

from .availability import booking_window, physicians_free_at
from .links import link_works
from .models import (
    Appointment,
    AppointmentEmail,
    AppointmentEvent,
    ConsultationType,
    new_manage_key,
)
from .notifications import queue_email

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_ATTEMPTS = 5
Action = AppointmentEvent.Action


class SlotTaken(Exception):
    """The time is not (or no longer) open."""


class LinkNoLongerWorks(Exception):
    """The manage link is older than the appointment's last change, or the visit is over."""


def generate_reference(prefix: str) -> str:
    """Office prefix and six characters easy to read aloud, e.g. ENC-7K3F9Q."""
    return f"{prefix}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def _free_of_others(appointment: Appointment) -> bool:
    return (
        not Appointment.objects.overlapping(
            physician_id=appointment.physician_id,
            starts_at=appointment.starts_at,
            blocks_until=appointment.blocks_until,
        )
        .exclude(pk=appointment.pk)
        .exists()
    )


def _place(appointment: Appointment, kind: ConsultationType, starts_at: datetime) -> None:
    appointment.starts_at = starts_at
    appointment.ends_at = starts_at + kind.duration
    appointment.blocks_until = starts_at + kind.step


def book_appointment(
    *,
    kind: ConsultationType,
    starts_at: datetime,
    patient: dict,
    consent_version: str = "",
    consent_to_texts: bool = False,
    form_token: str | None = None,
    language: str = "",
    treatment=None,
    booked_by=None,
    spam_reason: str = "",
    now: datetime | None = None,
) -> tuple[Appointment, bool]:
    """Book an open time with the first physician free then; (appointment, created).

    patient: first_name, last_name, email, phone, phone_extension, message. Raises SlotTaken
    when nobody is free at that time any more. A form sent twice (same form_token) returns the
    appointment it made the first time. Flagged (spam_reason) bookings hold no time.
    """
    now = now or timezone.now()
    window = booking_window(kind.office, now=now, for_staff=booked_by is not None)
    physicians = physicians_free_at(kind, starts_at, window)
    if not physicians and form_token:
        # The same form again (a double click): its booking now holds that time.
        existing = Appointment.objects.filter(form_token=form_token).first()
        if existing:
            return existing, False
    appointment = Appointment(
        office=kind.office,
        consultation_type=kind,
        treatment=treatment,
        status=Appointment.Status.FLAGGED if spam_reason else Appointment.Status.BOOKED,
        spam_reason=spam_reason,
        language=language[:12],
        form_token=form_token or "",
        booked_by=booked_by,
        created_at=now,
        scheduled_at=now,
        reference=generate_reference(kind.office.reference_prefix),
        **{
            name: patient.get(name) or ""
            for name in ("first_name", "last_name", "email", "phone", "phone_extension", "message")
        },
    )
    if consent_version:
        appointment.consent_version = consent_version
        appointment.consent_text = consent_evidence(
            version=consent_version, contact=True, texts=consent_to_texts
        )
        appointment.consented_at = now
    _place(appointment, kind, starts_at)
    appointment.full_clean(
        exclude={"office", "physician", "consultation_type", "treatment", "booked_by"},
        validate_unique=False,
        validate_constraints=False,
    )
    for physician_id in physicians:
        appointment.physician_id = physician_id
        for _attempt in range(REFERENCE_ATTEMPTS):
            try:
                with transaction.atomic():
                    # On PostgreSQL the exclusion constraint is the check (IntegrityError
                    # below); SQLite checks here, inside its single-writer transaction.
                    if (
                        appointment.is_booked
                        and connection.vendor != "postgresql"
                        and not _free_of_others(appointment)
                    ):
                        break  # taken since the page was shown: try the next physician
                    appointment.save(force_insert=True)
                    AppointmentEvent.objects.create(
                        appointment=appointment,
                        action=Action.BOOKED if appointment.is_booked else Action.FLAGGED,
                        starts_at=starts_at,
                        by=booked_by,
                        at=now,
                    )
                    if appointment.is_booked:
                        queue_email(appointment, AppointmentEmail.Kind.CONFIRMATION)
                return appointment, True
            except IntegrityError:
                appointment.pk = None  # rolled back: the next try inserts afresh
                if form_token:
                    existing = Appointment.objects.filter(form_token=form_token).first()
                    if existing:
                        return existing, False
                if Appointment.objects.filter(reference=appointment.reference).exists():
                    appointment.reference = generate_reference(kind.office.reference_prefix)
                    continue
                break  # the exclusion constraint: another server booked this physician
    raise SlotTaken


def _locked(appointment_id: int) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("consultation_type__schedule__office")
        .get(pk=appointment_id)
    )


def _record_change(appointment: Appointment, fields: list[str], now: datetime) -> None:
    """A change the patient's calendar must hear about: new sequence, new manage link."""
    appointment.sequence += 1
    appointment.manage_key = new_manage_key()
    appointment.save(update_fields=[*fields, "sequence", "manage_key", "updated_at"])


@transaction.atomic
def move_appointment(
    *, appointment_id: int, starts_at: datetime, key: str | None = None, by=None, now=None
) -> Appointment:
    """Move a booked appointment to another open time; the patient gets the new calendar file.

    key: the manage link's key when the patient moves it; staff pass `by` instead.
    """
    now = now or timezone.now()
    current = _locked(appointment_id)
    if current.status != Appointment.Status.BOOKED or (
        key is not None and not link_works(current, key, now=now)
    ):
        raise LinkNoLongerWorks
    kind = current.consultation_type
    window = booking_window(kind.office, now=now, for_staff=by is not None)
    previous = (current.physician_id, current.starts_at, current.ends_at, current.blocks_until)
    for physician_id in physicians_free_at(kind, starts_at, window) or [current.physician_id]:
        current.physician_id = physician_id
        _place(current, kind, starts_at)
        try:
            with transaction.atomic():
                if not _free_of_others(current):
                    continue
                current.scheduled_at = now
                _record_change(
                    current,
                    ["physician", "starts_at", "ends_at", "blocks_until", "scheduled_at"],
                    now,
                )
                AppointmentEvent.objects.create(
                    appointment=current, action=Action.MOVED, starts_at=starts_at, by=by, at=now
                )
                queue_email(current, AppointmentEmail.Kind.CHANGE)
            return current
        except IntegrityError:
            continue
    current.physician_id, current.starts_at, current.ends_at, current.blocks_until = previous
    raise SlotTaken


@transaction.atomic
def cancel_appointment(
    *, appointment_id: int, key: str | None = None, by=None, now=None
) -> Appointment:
    """Cancel: the time is free at once and the patient gets METHOD:CANCEL for the same event."""
    now = now or timezone.now()
    current = _locked(appointment_id)
    if key is not None and not link_works(current, key, now=now):
        raise LinkNoLongerWorks
    if current.status not in (Appointment.Status.BOOKED, Appointment.Status.FLAGGED):
        return current
    was_booked = current.is_booked
    current.status = Appointment.Status.CANCELLED
    current.cancelled_at = now
    _record_change(current, ["status", "cancelled_at"], now)
    AppointmentEvent.objects.create(
        appointment=current, action=Action.CANCELLED, starts_at=current.starts_at, by=by, at=now
    )
    if was_booked:
        queue_email(current, AppointmentEmail.Kind.CANCELLATION)
    return current


@transaction.atomic
def mark_no_show(*, appointment_id: int, by, now=None) -> bool:
    """A booked patient who did not come, once the visit has begun; False if not possible."""
    now = now or timezone.now()
    current = _locked(appointment_id)
    if current.status != Appointment.Status.BOOKED or current.starts_at > now:
        return False
    current.status = Appointment.Status.NO_SHOW
    current.save(update_fields=["status", "updated_at"])
    AppointmentEvent.objects.create(
        appointment=current, action=Action.NO_SHOW, starts_at=current.starts_at, by=by, at=now
    )
    return True


@transaction.atomic
def confirm_flagged(*, appointment_id: int, by, now=None) -> Appointment:
    """Staff judged a flagged booking real: it takes its time if still free, and is emailed."""
    now = now or timezone.now()
    current = _locked(appointment_id)
    if current.status != Appointment.Status.FLAGGED:
        return current
    current.status = Appointment.Status.BOOKED
    try:
        with transaction.atomic():
            if not _free_of_others(current):
                raise SlotTaken
            current.spam_reason = ""
            current.scheduled_at = now
            current.save(update_fields=["status", "spam_reason", "scheduled_at", "updated_at"])
    except IntegrityError:
        raise SlotTaken from None
    AppointmentEvent.objects.create(
        appointment=current, action=Action.CONFIRMED, starts_at=current.starts_at, by=by, at=now
    )
    queue_email(current, AppointmentEmail.Kind.CONFIRMATION)
    return current
