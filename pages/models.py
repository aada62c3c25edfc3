from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Office(models.Model):
    name = models.CharField(max_length=80, help_text="Shown to patients, e.g. “Encino”.")
    slug = models.SlugField(unique=True)
    reference_prefix = models.CharField(
        max_length=3,
        unique=True,
        help_text="Three capital letters that start this office's request references, e.g. ENC.",
    )
    street_address = models.CharField(max_length=200)
    city = models.CharField(max_length=80)
    state = models.CharField(max_length=2, default="CA")
    postal_code = models.CharField("ZIP code", max_length=10)
    phone = models.CharField(max_length=20, help_text="International format, e.g. +13105550142.")
    consultation_email = models.EmailField(
        help_text="Inbox that receives consultation requests for this office."
    )
    directions = models.TextField(
        blank=True, help_text="Parking, entrance and public transport, in plain words."
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("pages:office", kwargs={"slug": self.slug})

    @property
    def phone_display(self) -> str:
        """The phone number as a US patient would write it: (310) 555-0142."""
        digits = self.phone.removeprefix("+1")
        if len(digits) == 10 and digits.isdigit():
            return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
        return self.phone


class OpeningHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="closes_after_opens"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"
