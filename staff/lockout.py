"""A limit per account across addresses, on top of django-axes' limit per username and address.

A slow guess spread over many addresses never trips axes; here every failed sign-in for a
username counts, from wherever it came. Past the limit the account is locked for a while and
the superusers are emailed. The lock ends by itself, failures while it holds are not counted,
and only failures after it ended count towards the next one: an attacker cannot keep an
account locked without making fresh failures, and each new lock emails the superusers again.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from clinic_site.client_ip import get_client_ip

from .access import address_hash
from .models import AccountLock, LoginFailure

logger = logging.getLogger(__name__)


def normalise(username: str) -> str:
    return (username or "").strip()[:150]


def lock_in_force(username: str, now: datetime | None = None) -> AccountLock | None:
    """The lock that holds this account now, if any."""
    return (
        AccountLock.objects.in_force(now)
        .filter(username=normalise(username))
        .order_by("-locked_until")
        .first()
    )


def record_failure(*, username: str, client_ip: str, now: datetime | None = None):
    """Count one failed sign-in for username; lock the account when it reaches the limit."""
    now = now or timezone.now()
    username = normalise(username)
    if not username or lock_in_force(username, now):
        return None
    window_start = now - timedelta(seconds=settings.STAFF_ACCOUNT_FAILURE_WINDOW)
    with transaction.atomic():
        LoginFailure.objects.create(username=username, at=now, address_hash=address_hash(client_ip))
        last_lock_end = AccountLock.objects.filter(username=username).aggregate(
            end=Max("locked_until")
        )["end"]
        since = max(window_start, last_lock_end) if last_lock_end else window_start
        failures = LoginFailure.objects.filter(username=username, at__gte=since).count()
        if failures < settings.STAFF_ACCOUNT_FAILURE_LIMIT:
            return None
        lock = AccountLock.objects.create(
            username=username,
            locked_at=now,
            locked_until=now + timedelta(seconds=settings.STAFF_ACCOUNT_LOCK_SECONDS),
            failures=failures,
        )
        # Failures older than the window can never count again.
        LoginFailure.objects.filter(at__lt=window_start).delete()
        transaction.on_commit(lambda: email_superusers(lock), robust=True)
    logger.warning("Account locked after %d failed sign-ins from any address", failures)
    return lock


def email_superusers(lock: AccountLock) -> None:
    """Tell every active superuser with an email address; never raises."""
    recipients = list(
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    until = timezone.localtime(lock.locked_until)
    body = (
        f"The staff account “{lock.username}” had {lock.failures} failed sign-ins within "
        f"{settings.STAFF_ACCOUNT_FAILURE_WINDOW // 3600} hours, from any addresses, and is "
        f"locked until {until:%Y-%m-%d %H:%M} ({settings.TIME_ZONE}).\n\n"
        "If that was not the account's owner, someone may be guessing its password. The lock "
        "ends by itself; a superuser can lift it sooner under Staff > Locked accounts.\n"
    )
    try:
        send_mail(
            f"{settings.SITE_NAME}: staff account locked after failed sign-ins",
            body,
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    except Exception:  # the lock holds whether or not the email went out
        logger.exception("Could not email the superusers about an account lock")


def count_failed_login(sender, credentials, request=None, **kwargs):
    """user_login_failed receiver: every failed sign-in through a form counts."""
    if request is None:
        return  # not a sign-in through the site (a shell, a test's client.login)
    record_failure(username=credentials.get("username", ""), client_ip=get_client_ip(request))
