from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info, pgettext
from django.utils.translation import gettext_lazy as _

from pages.models import Office, Treatment

# Only these columns may change after a request is saved; the rest is the patient's submission.
WORKFLOW_FIELDS = frozenset({"status", "assigned_to", "spam_reason", "updated_at"})

WEEKDAYS = [
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
]


def one_business_day_before(moment: datetime) -> datetime:
    """The same clock time on the previous weekday (holidays are not counted)."""
    earlier = timezone.localtime(moment) - timedelta(days=1)
    while earlier.weekday() >= 5:
        earlier -= timedelta(days=1)
    return earlier


def describe_age(created: datetime, now: datetime | None = None) -> str:
    """How long ago, in the short form staff scan quickly: "5 min", "2 h", "3 days"."""
    seconds = max(0, int(((now or timezone.now()) - created).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    days = seconds // 86400
    return "1 day" if days == 1 else f"{days} days"


def one_of(field: str, choices, *, blank: bool = False, name: str) -> models.CheckConstraint:
    """A database check that a choice field holds one of its choices (or "" if blank)."""
    allowed = ["", *choices.values] if blank else list(choices.values)
    return models.CheckConstraint(condition=Q(**{f"{field}__in": allowed}), name=name)


class ConsultationRequestQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status=ConsultationRequest.Status.NEW)

    def stale(self, now: datetime | None = None):
        """New requests nobody has picked up for more than one business day: the one rule."""
        return self.waiting().filter(created_at__lt=one_business_day_before(now or timezone.now()))

    def with_staleness(self, now: datetime | None = None):
        """Each request with is_stale: whether stale() lists it."""
        stale = ConsultationRequest.objects.stale(now).filter(pk=OuterRef("pk"))
        return self.annotate(is_stale=Exists(stale))

    def purgeable(self, cutoff: datetime):
        return self.filter(
            status__in=[ConsultationRequest.Status.CLOSED, ConsultationRequest.Status.SPAM],
            updated_at__lt=cutoff,
        )


# Choices live at module level so the models' Meta can check them in the database.
class RequestStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    SCHEDULED = "scheduled", _("Scheduled")
    CLOSED = "closed", _("Closed")
    SPAM = "spam", _("Spam")


class SpamReason(models.TextChoices):
    HONEYPOT = "honeypot", _("Honeypot: a hidden field was filled in")
    TOO_FAST = "too_fast", _("Too fast: sent seconds after the form was shown")
    STAFF = "staff", _("Marked as spam by staff")


class PatientStatus(models.TextChoices):
    NEW = "new", _("New patient")
    EXISTING = "existing", _("Existing patient")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("Email")
    TEXT = "text", _("Text message")


class TimeOfDay(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")


class Payment(models.TextChoices):
    INSURANCE = "insurance", _("Insurance")
    SELF_PAY = "self_pay", _("Self-pay")
    NOT_SURE = "not_sure", _("Not sure yet")


class ConsultationRequest(models.Model):
    Status = RequestStatus
    SpamReason = SpamReason
    PatientStatus = PatientStatus
    ContactMethod = ContactMethod
    TimeOfDay = TimeOfDay
    Payment = Payment

    reference = models.CharField(max_length=12, unique=True, editable=False)

    # What the patient sent; never changed after saving (see save()).
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    phone = models.CharField(max_length=16, help_text="International (E.164) format.")
    phone_extension = models.CharField(max_length=10, blank=True)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="consultation_requests"
    )
    # A treatment patients asked about cannot be deleted (only unpublished); its name is kept
    # as well, as it read when the request was sent.
    treatment = models.ForeignKey(
        Treatment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultation_requests",
    )
    treatment_name = models.CharField(
        "treatment",
        max_length=120,
        blank=True,
        help_text="The treatment's English name when the request was sent.",
    )
    patient_status = models.CharField(max_length=10, choices=PatientStatus.choices)
    contact_method = models.CharField(max_length=10, choices=ContactMethod.choices)
    preferred_days = models.CharField(
        max_length=40, blank=True, help_text="Comma-separated weekday codes, e.g. mon,wed."
    )
    preferred_time = models.CharField(max_length=10, choices=TimeOfDay.choices, blank=True)
    message = models.TextField(max_length=1000)
    payment = models.CharField(max_length=10, choices=Payment.choices, blank=True)
    language = models.CharField(max_length=12, blank=True)
    medical_warning_shown = models.BooleanField(
        default=False,
        help_text="The patient was told the message looked medical and chose to send it.",
    )
    # Kept for staff, not as spam: a family or office on one connection can be behind it.
    over_rate_limit = models.BooleanField(
        "sent over the rate limit",
        default=False,
        help_text="Its connection had sent many requests in a few minutes: check it looks "
        "genuine before calling. The patient was asked to phone and got no email from us.",
    )

    # Consent evidence: the exact words agreed to, their version and when.
    consent_version = models.CharField(max_length=20)
    consent_text = models.TextField()
    consent_to_contact = models.BooleanField()
    consent_to_texts = models.BooleanField(default=False)
    consented_at = models.DateTimeField()

    # One-time token of the form the request came from; a resent form is recognised by it.
    form_token = models.CharField(max_length=64, unique=True, editable=False)
    # The same form sent again with different details: a new request that corrects the first.
    corrects = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="corrections",
        help_text="The patient sent this form again with changes; this is the newer version.",
    )

    # Front-desk workflow.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    spam_reason = models.CharField(max_length=20, choices=SpamReason.choices, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_consultation_requests",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConsultationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="bookings_status_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_to_contact=True), name="consent_to_contact_given"
            ),
            models.CheckConstraint(
                condition=~Q(status="spam") | ~Q(spam_reason=""), name="spam_has_a_reason"
            ),
            one_of("status", RequestStatus, name="consultation_status_valid"),
            one_of("spam_reason", SpamReason, blank=True, name="consultation_spam_reason_valid"),
            one_of("patient_status", PatientStatus, name="consultation_patient_status_valid"),
            one_of("contact_method", ContactMethod, name="consultation_contact_method_valid"),
            one_of(
                "preferred_time", TimeOfDay, blank=True, name="consultation_preferred_time_valid"
            ),
            one_of("payment", Payment, blank=True, name="consultation_payment_valid"),
        ]

    def __str__(self):
        # The reference only: admin logs keep __str__ after a purge, so no patient data here.
        return self.reference

    def save(self, *args, **kwargs):
        if not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if update_fields is None:
                kwargs["update_fields"] = sorted(WORKFLOW_FIELDS)
            elif not set(update_fields) <= WORKFLOW_FIELDS:
                raise ValueError("A patient's submission cannot be changed after it is saved.")
        super().save(*args, **kwargs)

    def get_admin_url(self) -> str:
        return reverse("admin:bookings_consultationrequest_change", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_spam(self) -> bool:
        return self.status == self.Status.SPAM

    @property
    def notification_kinds(self) -> list[str]:
        """The office always hears of a request; the patient unless it came over the rate limit,
        where an acknowledgement would let a flood of requests mail any address."""
        if self.over_rate_limit:
            return [Notification.Kind.OFFICE]
        return list(Notification.Kind.values)

    @property
    def age(self) -> str:
        return describe_age(self.created_at)

    @property
    def received_ago(self) -> str:
        age = self.age
        return age if age == "just now" else f"{age} ago"

    @property
    def contact_method_phrase(self) -> str:
        """How we will reach the patient, as it reads after "by": "phone", "text message"."""
        phrases = {
            "email": pgettext("contact you by", "email"),
            "text": pgettext("contact you by", "text message"),
        }
        return phrases.get(self.contact_method) or pgettext("contact you by", "phone")

    @property
    def language_code(self) -> str:
        """The site language the patient used, e.g. "es"; the default for old or odd values."""
        code = (self.language or "").split("-")[0].lower()
        return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE

    @property
    def language_name(self) -> str:
        """The patient's language in English for staff, e.g. "Spanish"; empty if not recorded."""
        if not self.language:
            return ""
        try:
            return get_language_info(self.language)["name"]
        except KeyError:
            return self.language

    def get_preferred_days_display(self) -> str:
        names = dict(WEEKDAYS)
        return ", ".join(str(names[d]) for d in self.preferred_days.split(",") if d in names)


class StatusChange(models.Model):
    consultation = models.ForeignKey(
        ConsultationRequest, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        max_length=10, choices=ConsultationRequest.Status.choices, blank=True
    )
    to_status = models.CharField(max_length=10, choices=ConsultationRequest.Status.choices)
    # Empty when the website itself set the status (a new request, a spam flag).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "pk"]
        constraints = [
            one_of(
                "from_status",
                RequestStatus,
                blank=True,
                name="status_change_from_status_valid",
            ),
            one_of("to_status", RequestStatus, name="status_change_to_status_valid"),
        ]

    def __str__(self):
        return f"{self.from_status or 'received'} → {self.to_status}"


class StaffNote(models.Model):
    consultation = models.ForeignKey(
        ConsultationRequest, on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField("note", max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        author = self.author.get_full_name() or self.author.get_username()
        return f"Note by {author} on {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


# A send that crashed half-way (a killed worker) is tried again after this long.
SENDING_TIMEOUT = timedelta(minutes=15)


class NotificationQuerySet(models.QuerySet):
    def claimable(self, now: datetime | None = None):
        """Not sent, not given up on, and not being sent by another process right now."""
        now = now or timezone.now()
        return self.filter(
            Q(status__in=[Notification.Status.PENDING, Notification.Status.FAILED])
            | Q(status=Notification.Status.SENDING, last_attempt_at__lt=now - SENDING_TIMEOUT),
            attempts__lt=settings.BOOKINGS_NOTIFICATION_MAX_ATTEMPTS,
        )

    def retryable(self, now: datetime | None = None):
        """Claimable emails of requests that are not spam."""
        return self.claimable(now).exclude(consultation__status=ConsultationRequest.Status.SPAM)


class NotificationKind(models.TextChoices):
    OFFICE = "office", _("Office inbox")
    PATIENT = "patient", _("Patient acknowledgement")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")


class Notification(models.Model):
    Kind = NotificationKind
    Status = NotificationStatus

    consultation = models.ForeignKey(
        ConsultationRequest, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "kind"], name="one_notification_per_kind"
            ),
            one_of("kind", NotificationKind, name="notification_kind_valid"),
            one_of("status", NotificationStatus, name="notification_status_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_status_display()}"


class PurgeRun(models.Model):
    """What one run of purge_consultation_requests removed; counts only, never patient data."""

    ran_at = models.DateTimeField(default=timezone.now)
    dry_run = models.BooleanField(default=False)
    retention_days = models.PositiveIntegerField()
    cutoff = models.DateTimeField(help_text="Requests last changed before this were in scope.")
    removed_count = models.PositiveIntegerField(default=0)
    removed_by_status = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-ran_at"]
        verbose_name = "retention purge run"

    def __str__(self):
        verb = "would remove" if self.dry_run else "removed"
        return f"{timezone.localtime(self.ran_at):%Y-%m-%d %H:%M}: {verb} {self.removed_count}"
