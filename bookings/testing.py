"""Helpers for tests that post the consultation form."""

import importlib
import time

from . import consent
from .spam import issue_form_token


def form_token(age_seconds: float = 60) -> str:
    """A valid form token as if the form had been shown age_seconds ago."""
    return issue_form_token(issued_at=time.time() - age_seconds)


def numbered_name(prefix: str, n: int) -> str:
    """A name unique to n, in letters (names may not hold digits): numbered_name("W", 12) is
    "W Bc"."""
    return f"{prefix} " + "".join(chr(ord("a") + int(digit)) for digit in str(n)).capitalize()


def valid_form_data(office, /, **overrides) -> dict:
    """Everything a patient fills in, valid; pass field=None to leave a field out."""
    data = {
        "first_name": "Ana",
        "last_name": "Ruiz",
        "email": "ana.ruiz@example.org",
        "phone": "(213) 373-4253",
        "office": str(office.pk),
        "treatment": "",
        "patient_status": "new",
        "contact_method": "phone",
        "preferred_days": ["mon", "wed"],
        "preferred_time": "morning",
        "payment": "not_sure",
        "message": "Could someone call me about a knee appointment next week?",
        "consent_to_contact": "on",
        "consent_wording": consent.CURRENT.version,
        "token": form_token(),
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def front_desk_group():
    """The "Front desk" group as its migration makes it (transactional tests flush it away)."""
    from django.contrib.auth.models import Group, Permission

    migration = importlib.import_module("bookings.migrations.0002_front_desk_group")
    group, created = Group.objects.get_or_create(name=migration.GROUP_NAME)
    if created:
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="bookings", codename__in=migration.PERMISSIONS
            )
        )
    return group
