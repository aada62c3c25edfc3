"""Email clinical reviewers the treatment pages whose medical review is due soon or overdue."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from .models import REVIEW_NOTICE, ReviewReminder, Treatment
from .roles import CLINICAL_REVIEWER

logger = logging.getLogger(__name__)


def reviewers():
    return (
        get_user_model()
        .objects.filter(groups__name=CLINICAL_REVIEWER, is_active=True)
        .exclude(email="")
        .distinct()
    )


def send_review_reminders() -> int:
    """Email each reviewer the pages coming due that they were not told of yet; return emails.

    Each reminder (page, review date, reviewer) is claimed by inserting its row before the
    email goes out, so two runs at once never send the same reminder twice; a failed email
    gives its claims back, so the next run tries again.
    """
    pages = list(Treatment.objects.pages().review_due_soon().order_by("next_review_due"))
    sent = 0
    for reviewer in reviewers():
        claimed = [page for page in pages if _claim(page, reviewer)]
        if not claimed:
            continue
        try:
            send_mail(
                subject=_subject(claimed),
                message=_body(claimed, reviewer),
                from_email=None,
                recipient_list=[reviewer.email],
            )
        except Exception:
            logger.exception("review reminder to reviewer %s failed; will retry", reviewer.pk)
            ReviewReminder.objects.filter(
                reviewer=reviewer,
                page__in=claimed,
                sent_at__isnull=True,
            ).delete()
            continue
        ReviewReminder.objects.filter(reviewer=reviewer, page__in=claimed).filter(
            sent_at__isnull=True
        ).update(sent_at=timezone.now())
        sent += 1
    return sent


def _claim(page, reviewer) -> bool:
    try:
        with transaction.atomic():
            ReviewReminder.objects.create(
                page=page, review_due=page.next_review_due, reviewer=reviewer
            )
    except IntegrityError:
        return False  # told already (or another run is telling them now)
    return True


def _subject(pages) -> str:
    overdue = sum(page.is_review_overdue for page in pages)
    count = f"{len(pages)} treatment page" + ("s" if len(pages) != 1 else "")
    if overdue:
        return f"Medical review due: {count} ({overdue} overdue)"
    return f"Medical review due soon: {count}"


def _body(pages, reviewer) -> str:
    lines = [
        f"Hello {reviewer.get_full_name() or reviewer.get_username()},",
        "",
        f"These pages need a clinician's review (within {REVIEW_NOTICE.days} days, or "
        "overdue). Patients see that a review is under way once the date has passed.",
        "",
    ]
    for page in pages:
        state = "OVERDUE since" if page.is_review_overdue else "due on"
        url = settings.SITE_URL + reverse("admin:pages_treatment_change", args=[page.pk])
        lines += [f"- {page.title}: review {state} {page.next_review_due:%B %-d, %Y}", f"  {url}"]
    lines += [
        "",
        "To review a page, open it, check it, and approve it: approving sets the review date.",
    ]
    return "\n".join(lines)
