"""The record of who looked at which patient's request: written with what it records."""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.crypto import salted_hmac

from clinic_site.client_ip import get_client_ip

from .models import AccessRecord

Action = AccessRecord.Action


def address_hash(client_ip: str) -> str:
    """A keyed hash of a client address, as the booking rate limit keeps it: never the address."""
    if not client_ip:
        return ""
    return salted_hmac("staff.access-record", client_ip).hexdigest()[:32]


def record_access(
    *,
    request,
    action: str,
    reference: str = "",
    references: Iterable[str] = (),
    detail: str = "",
) -> AccessRecord:
    """Record one look at patient data by request.user.

    Call it inside the transaction of what it records: if either fails, neither is kept.
    """
    user = request.user
    return AccessRecord.objects.create(
        user=user if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "",
        action=action,
        reference=reference,
        references="\n".join(references),
        detail=detail[:300],
        address_hash=address_hash(get_client_ip(request)),
    )


# The admin request being served, so a status change saved deep in a service is recorded with
# the address it came from (set by RecordedPatientAdminMixin around its views).
_serving = ContextVar("staff_access_request", default=None)


@contextmanager
def serving(request):
    """Status changes saved inside this block are recorded as made through request."""
    token = _serving.set(request)
    try:
        yield
    finally:
        _serving.reset(token)


def record_status_change(sender, instance, created, raw=False, **kwargs):
    """post_save receiver for bookings.StatusChange: a staff member's change is recorded."""
    if not created or raw or instance.changed_by_id is None:
        return  # the website's own changes (a new request, a spam flag) are not staff access
    request = _serving.get()
    user = instance.changed_by
    AccessRecord.objects.create(
        user=user,
        username=user.get_username(),
        action=Action.STATUS,
        reference=instance.consultation.reference,
        detail=f"{instance.from_status or 'received'} → {instance.to_status}",
        address_hash=address_hash(get_client_ip(request)) if request is not None else "",
    )
