"""The patient's manage link: signed, tied to one version of the appointment, dead after it."""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from .models import Appointment

SALT = "scheduling.manage-link"


def manage_token(appointment: Appointment) -> str:
    return signing.dumps({"a": appointment.pk, "k": appointment.manage_key}, salt=SALT)


def manage_path(appointment: Appointment) -> str:
    return reverse("scheduling:manage", kwargs={"token": manage_token(appointment)})


def manage_url(appointment: Appointment) -> str:
    return settings.SITE_URL + manage_path(appointment)


def read_manage_token(token: str) -> tuple[int, str] | None:
    """(appointment id, key) from a link, or None when it is forged or malformed."""
    if not token or len(token) > 200:
        return None
    try:
        payload = signing.loads(token, salt=SALT)
        return int(payload["a"]), str(payload["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def link_works(appointment: Appointment, key: str, *, now=None) -> bool:
    """The link may still change the appointment: its newest version, booked, not yet over."""
    return (
        appointment.manage_key == key
        and appointment.status == Appointment.Status.BOOKED
        and appointment.ends_at > (now or timezone.now())
    )
