"""Staff accounts: which offices a person works for, who looked at which request, login locks."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pages.models import Office


class StaffProfile(models.Model):
    """Which offices' requests a staff member may see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    offices = models.ManyToManyField(
        Office,
        blank=True,
        related_name="staff_profiles",
        help_text="This person sees requests for these offices only.",
    )
    all_offices = models.BooleanField(
        "all offices",
        default=False,
        help_text="Sees requests for every office, including offices added later.",
    )
    notify_new_requests = models.BooleanField(
        "email me new requests",
        default=False,
        help_text="Also send this person the new-request email of each of their offices.",
    )

    class Meta:
        verbose_name = "offices and emails"
        verbose_name_plural = "offices and emails"

    def __str__(self):
        return f"Offices of {self.user}"


class AccessRecordQuerySet(models.QuerySet):
    def mentioning(self, reference: str):
        """Records about one request: views and status changes of it, and exports holding it."""
        reference = reference.strip().upper()
        return self.filter(Q(reference=reference) | Q(references__contains=reference))


class AccessRecord(models.Model):
    """One look at patient data by a staff member; kept after the request itself is purged."""

    class Action(models.TextChoices):
        VIEW = "view", "Opened a request"
        STATUS = "status", "Changed a status"
        EXPORT = "export", "Exported to CSV"
        SEARCH = "search", "Searched the request list"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # The account, and its name as it was: the name stays if the account is deleted later.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=10, choices=Action.choices)
    # The reference string, not a foreign key: the retention purge deletes the request itself.
    reference = models.CharField(max_length=12, blank=True, db_index=True)
    references = models.TextField(
        blank=True, help_text="Every request reference an export held, one per line."
    )
    detail = models.CharField(
        max_length=300, blank=True, help_text="What was searched for, or the status change."
    )
    address_hash = models.CharField(
        "address (hashed)",
        max_length=32,
        blank=True,
        help_text="A keyed hash of the address the request came from; equal hashes, same address.",
    )

    objects = AccessRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"], name="staff_access_user_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["view", "status", "export", "search"]),
                name="access_record_action_known",
            )
        ]

    def __str__(self):
        what = self.reference or self.detail or f"{self.references.count(chr(10)) + 1} requests"
        return f"{self.username}: {self.get_action_display()} {what}"


class LoginFailure(models.Model):
    """A failed sign-in for a username, from any address, for the per-account limit."""

    username = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)
    address_hash = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [models.Index(fields=["username", "at"], name="staff_loginfailure_user_at")]

    def __str__(self):
        return f"{self.username} at {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


class AccountLockQuerySet(models.QuerySet):
    def in_force(self, now: datetime | None = None):
        return self.filter(locked_until__gt=now or timezone.now())


class AccountLock(models.Model):
    """An account locked for a while after too many failed sign-ins from any addresses."""

    username = models.CharField(max_length=150, db_index=True)
    locked_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField()
    failures = models.PositiveIntegerField(help_text="Failed sign-ins that led to this lock.")

    objects = AccountLockQuerySet.as_manager()

    class Meta:
        ordering = ["-locked_at"]
        verbose_name = "locked account"
        constraints = [
            models.CheckConstraint(
                condition=Q(locked_until__gt=models.F("locked_at")), name="lock_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.username} until {timezone.localtime(self.locked_until):%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> timedelta:
        return self.locked_until - self.locked_at
