"""The cron commands run twice at once (two machines, or a slow run overlapping the next):
each scheduled draft is published once and each reminder goes out once (PostgreSQL threads)."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from pages import drafts
from pages.models import EditorialEvent, ReviewReminder
from pages.reminders import send_review_reminders
from tests.factories import make_reviewer, make_treatment


def at_once(count: int, work) -> list:
    """Run work() in `count` threads released together; each thread has its own connection."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(number):
        try:
            barrier.wait(timeout=30)
            results[number] = work()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: threads need a database server")


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_publish_a_scheduled_draft_once(postgresql_only):
    reviewer = make_reviewer()
    live = make_treatment(slug="knee-care", references=1)
    draft = drafts.start_draft(page=live)
    section = draft.sections.first()
    section.body = "Gentle walking helps."
    section.save()
    due = timezone.now() + timedelta(minutes=5)
    drafts.approve(draft=draft, user=reviewer, go_live_at=due)
    results = at_once(2, lambda: len(drafts.publish_due(now=due + timedelta(minutes=1))))
    assert sorted(results) == [0, 1]
    published = EditorialEvent.objects.for_page(live).filter(action="published")
    assert published.count() == 2  # the version before, and this publication: once
    assert "Gentle walking" in live.sections.first().body


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_reminder_runs_email_each_reviewer_once(postgresql_only):
    make_reviewer()
    make_treatment(slug="late", next_review_due=timezone.localdate() - timedelta(days=1))
    at_once(2, send_review_reminders)
    assert len(mail.outbox) == 1
    assert ReviewReminder.objects.filter(sent_at__isnull=False).count() == 1
