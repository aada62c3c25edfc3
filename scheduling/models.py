import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pages.models import Office, OpeningHours, Physician, Treatment

from .constraints import PostgresExclusionConstraint, TsTzRange

# Hours and visits belong to a physician's profile, never to a draft of it (pages.drafts).
PHYSICIAN_PAGES = {"draft_of__isnull": True}

Weekday = OpeningHours.Weekday


class OfficeSchedule(models.Model):
    """How an office takes online bookings: on or off, how soon and how far ahead."""

    office = models.OneToOneField(Office, on_delete=models.CASCADE, related_name="schedule")
    online_booking = models.BooleanField(
        "patients may book online",
        default=False,
        help_text="Off: the office takes call-back requests only.",
    )
    minimum_notice_days = models.PositiveSmallIntegerField(
        "minimum notice (business days)",
        default=1,
        help_text="1: the first bookable day is the next business day. 0: later today too. "
        "Weekends and office-wide closures do not count as business days.",
    )
    booking_window_days = models.PositiveSmallIntegerField(
        "booking window (days)",
        default=60,
        help_text="How many days ahead patients may book.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["office__sort_order", "office__name"]
        verbose_name = "office booking settings"
        verbose_name_plural = "office booking settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(booking_window_days__gte=1), name="booking_window_at_least_a_day"
            )
        ]

    def __str__(self):
        return f"{self.office.name} booking settings"


class ConsultationTypeQuerySet(models.QuerySet):
    def online(self):
        """Types patients may book themselves, at offices that take online bookings."""
        return self.filter(bookable_online=True, schedule__online_booking=True)


class ConsultationType(models.Model):
    schedule = models.ForeignKey(
        OfficeSchedule, on_delete=models.CASCADE, related_name="consultation_types"
    )
    name = models.CharField(max_length=80, help_text="e.g. “New patient consultation”.")
    description = models.CharField(
        max_length=200, blank=True, help_text="Optional. One plain sentence patients see."
    )
    duration_minutes = models.PositiveSmallIntegerField(
        "length (minutes)", help_text="How long the patient is with the physician."
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        "buffer after (minutes)",
        default=0,
        help_text="Kept free after each visit for notes and getting the room ready.",
    )
    bookable_online = models.BooleanField(
        default=True, help_text="Off: only front desk can book this type."
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = ConsultationTypeQuerySet.as_manager()

    class Meta:
        ordering = ["schedule__office__sort_order", "sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="consultation_length_5_to_480_minutes",
                violation_error_message="A visit lasts between 5 minutes and 8 hours.",
            ),
            models.CheckConstraint(
                condition=Q(buffer_minutes__lte=240), name="consultation_buffer_at_most_4_hours"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.duration_minutes} min, {self.office.name})"

    @property
    def office(self) -> Office:
        return self.schedule.office

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def step(self) -> timedelta:
        """Start times follow each other at the visit's length plus its buffer."""
        return timedelta(minutes=self.duration_minutes + self.buffer_minutes)


class WeeklyHours(models.Model):
    schedule = models.ForeignKey(
        OfficeSchedule, on_delete=models.CASCADE, related_name="weekly_hours"
    )
    physician = models.ForeignKey(
        Physician,
        on_delete=models.CASCADE,
        related_name="weekly_hours",
        limit_choices_to=PHYSICIAN_PAGES,
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField(help_text="e.g. 09:00")
    ends = models.TimeField(help_text="e.g. 12:00. Add a second row for the afternoon.")

    class Meta:
        ordering = ["schedule__office__sort_order", "weekday", "starts"]
        verbose_name = "weekly hours"
        verbose_name_plural = "weekly hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts")),
                name="weekly_hours_end_after_start",
                violation_error_message="The hours must end after they start.",
            ),
            models.CheckConstraint(
                condition=Q(weekday__in=range(7)), name="weekly_hours_weekday_valid"
            ),
        ]

    def __str__(self):
        return (
            f"{self.physician.name}, {self.get_weekday_display()} {self.starts:%H:%M}–"
            f"{self.ends:%H:%M} at {self.schedule.office.name}"
        )

    def clean(self):
        if not (self.physician_id and self.starts and self.ends) or self.weekday is None:
            return
        clash = (
            WeeklyHours.objects.filter(
                physician_id=self.physician_id,
                weekday=self.weekday,
                starts__lt=self.ends,
                ends__gt=self.starts,
            )
            .exclude(pk=self.pk)
            .select_related("schedule__office")
            .first()
        )
        if clash:
            raise ValidationError(
                f"{self.physician} already works {clash.starts:%H:%M}–{clash.ends:%H:%M} on "
                f"{clash.get_weekday_display()} at {clash.schedule.office.name}. A physician "
                "can be in one place at a time: change those hours first.",
                code="hours_overlap",
            )


class Closure(models.Model):
    """Days when an office, or one physician, takes no appointments: holidays, vacations."""

    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        help_text="Empty: every office (a public holiday).",
    )
    physician = models.ForeignKey(
        Physician,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        limit_choices_to=PHYSICIAN_PAGES,
        help_text="Empty: everyone at the office. A physician: their vacation or day off.",
    )
    first_day = models.DateField()
    last_day = models.DateField(help_text="The same as the first day for a single day.")
    from_time = models.TimeField(
        null=True, blank=True, help_text="Optional: only part of each day, from this time."
    )
    until_time = models.TimeField(null=True, blank=True, help_text="…until this time.")
    reason = models.CharField(
        max_length=120,
        help_text="For staff, e.g. “Thanksgiving” or “Vacation”. Not shown to patients.",
    )

    class Meta:
        ordering = ["-first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="closure_last_day_not_before_first",
                violation_error_message="The last day cannot come before the first day.",
            ),
            models.CheckConstraint(
                condition=Q(from_time__isnull=True, until_time__isnull=True)
                | Q(until_time__gt=F("from_time")),
                name="closure_times_both_or_neither",
                violation_error_message="Give both times, the second after the first, or none.",
            ),
        ]

    def __str__(self):
        where = self.office.name if self.office_id else "All offices"
        who = f", {self.physician.name}" if self.physician_id else ""
        days = f"{self.first_day:%Y-%m-%d}" + (
            f" to {self.last_day:%Y-%m-%d}" if self.last_day != self.first_day else ""
        )
        return f"{self.reason} ({where}{who}, {days})"

    @property
    def whole_day(self) -> bool:
        return self.from_time is None


class ExtraHours(models.Model):
    """A physician's hours at an office on one date, e.g. a day at the other office.

    While they are here they are not at their usual office, so those hours close there.
    """

    physician = models.ForeignKey(
        Physician,
        on_delete=models.CASCADE,
        related_name="extra_hours",
        limit_choices_to=PHYSICIAN_PAGES,
    )
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="extra_hours")
    day = models.DateField()
    starts = models.TimeField()
    ends = models.TimeField()
    note = models.CharField(max_length=120, blank=True, help_text="For staff.")

    class Meta:
        ordering = ["-day", "starts"]
        verbose_name = "extra hours (e.g. a day at another office)"
        verbose_name_plural = "extra hours (e.g. a day at another office)"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts")),
                name="extra_hours_end_after_start",
                violation_error_message="The hours must end after they start.",
            )
        ]

    def __str__(self):
        return (
            f"{self.physician.name} at {self.office.name} on {self.day:%Y-%m-%d} "
            f"{self.starts:%H:%M}–{self.ends:%H:%M}"
        )


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")
    # Sent by what looked like a bot: kept for staff to confirm; it holds no slot meanwhile.
    FLAGGED = "flagged", _("Flagged for review")


# Appointments that hold their time: a cancelled or flagged one frees it at once.
HOLDS_TIME = [AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW]


class AppointmentQuerySet(models.QuerySet):
    def holding_time(self):
        return self.filter(status__in=HOLDS_TIME)

    def overlapping(self, *, physician_id, starts_at, blocks_until):
        """Appointments of this physician whose time (buffer included) meets this range."""
        return self.holding_time().filter(
            physician_id=physician_id, starts_at__lt=blocks_until, blocks_until__gt=starts_at
        )

    def upcoming(self, now=None):
        return self.filter(status=AppointmentStatus.BOOKED, starts_at__gt=now or timezone.now())


def new_manage_key() -> str:
    return secrets.token_urlsafe(16)


class Appointment(models.Model):
    Status = AppointmentStatus

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=12, unique=True, editable=False)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="appointments")
    physician = models.ForeignKey(
        Physician,
        on_delete=models.PROTECT,
        related_name="appointments",
        limit_choices_to=PHYSICIAN_PAGES,
    )
    consultation_type = models.ForeignKey(
        ConsultationType, on_delete=models.PROTECT, related_name="appointments"
    )
    treatment = models.ForeignKey(
        Treatment, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The end of the buffer after the visit: what the no-overlap rule protects.
    blocks_until = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    spam_reason = models.CharField(max_length=20, blank=True)

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True, help_text="Empty only when booked by phone without one.")
    phone = models.CharField(max_length=16, help_text="International (E.164) format.")
    phone_extension = models.CharField(max_length=10, blank=True)
    message = models.TextField(max_length=1000, blank=True)
    language = models.CharField(max_length=12, blank=True)

    consent_version = models.CharField(max_length=20, blank=True)
    consent_text = models.TextField(blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    # One-time token of the form it came from (empty when staff booked): a resent form is
    # recognised by it.
    form_token = models.CharField(max_length=64, blank=True, editable=False)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: the patient booked online.",
    )

    # Raised on every change of time or status: the calendar file's SEQUENCE.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # Part of the signed manage link; replaced on every change, so older links stop working.
    manage_key = models.CharField(max_length=32, default=new_manage_key, editable=False)
    # When the current time was chosen: reminders due before this are not sent.
    scheduled_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["office", "starts_at"], name="appointment_office_start"),
            models.Index(fields=["physician", "starts_at"], name="appointment_physician_start"),
        ]
        constraints = [
            PostgresExclusionConstraint(
                name="no_overlapping_appointments",
                expressions=[
                    (F("physician"), RangeOperators.EQUAL),
                    (
                        TsTzRange(F("starts_at"), F("blocks_until"), RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(status__in=HOLDS_TIME),
                violation_error_message="The physician already has an appointment then.",
            ),
            models.UniqueConstraint(
                fields=["form_token"],
                condition=~Q(form_token=""),
                name="one_appointment_per_form",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at"), blocks_until__gte=F("ends_at")),
                name="appointment_times_in_order",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values), name="appointment_status_valid"
            ),
        ]

    def __str__(self):
        # The reference only: admin's change log keeps __str__, so no patient data here.
        return self.reference

    def get_admin_url(self) -> str:
        return reverse("admin:scheduling_appointment_change", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_booked(self) -> bool:
        return self.status == self.Status.BOOKED

    @property
    def local_start(self):
        from .availability import office_time

        return office_time(self.starts_at)

    @property
    def local_end(self):
        from .availability import office_time

        return office_time(self.ends_at)

    @property
    def language_code(self) -> str:
        code = (self.language or "").split("-")[0].lower()
        return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class AppointmentEmail(models.Model):
    """One email about an appointment, recorded before it is sent: sent at most once."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation")
        CHANGE = "change", _("New time")
        CANCELLATION = "cancellation", _("Cancellation")
        REMINDER = "reminder", _("Reminder")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        SKIPPED = "skipped", _("Not needed any more")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # The appointment's sequence it was written for; a newer change makes it out of date.
    sequence = models.PositiveIntegerField()
    # Reminders: how long before the visit (minutes); 0 for the other kinds.
    lead_minutes = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # The claim that makes each email, reminders included, go out at most once.
            models.UniqueConstraint(
                fields=["appointment", "kind", "sequence", "lead_minutes"],
                name="one_email_per_kind_sequence_and_lead",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_status_display()}"


class AppointmentEvent(models.Model):
    """One step in an appointment's life, for front desk: who did what, when, to which time."""

    class Action(models.TextChoices):
        BOOKED = "booked", _("Booked")
        FLAGGED = "flagged", _("Held for review")
        CONFIRMED = "confirmed", _("Confirmed by staff")
        MOVED = "moved", _("Moved")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    starts_at = models.DateTimeField(help_text="The appointment's time after this step.")
    # Empty: the patient did it online.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "history entry"
        verbose_name_plural = "history"

    def __str__(self):
        return f"{self.get_action_display()} at {timezone.localtime(self.at):%Y-%m-%d %H:%M}"
