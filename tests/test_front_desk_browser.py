"""The front desk's day in Chromium, at desktop width and on a 390 px phone."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings import consent
from bookings.models import ConsultationRequest
from bookings.services import generate_reference
from bookings.testing import front_desk_group

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def fresh_cache():
    # Transactional tests share the cache table; start each one with a fresh rate limit.
    cache.clear()


def stored_request(office, *, age=timedelta(minutes=5), **fields) -> ConsultationRequest:
    now = timezone.now()
    values = {
        "first_name": "Marisol",
        "last_name": "Ibarra",
        "email": "marisol@example.org",
        "phone": "+18185550199",
        "patient_status": "new",
        "contact_method": "phone",
        "message": "Could someone call me about a knee appointment?",
        "consent_version": consent.CURRENT.version,
        "consent_text": consent.CURRENT.contact,
        "consent_to_contact": True,
        "consented_at": now - age,
        "created_at": now - age,
    }
    values.update(fields)
    return ConsultationRequest.objects.create(
        office=office,
        reference=generate_reference(office.reference_prefix),
        form_token=generate_reference("TOK") + str(ConsultationRequest.objects.count()),
        **values,
    )


@pytest.fixture
def encino(offices):
    return next(o for o in offices if o.slug == "encino")


@pytest.fixture
def desk_user(django_user_model):
    user = django_user_model.objects.create_user(
        "desk", "desk@example.org", first_name="Dana", last_name="Whitfield", is_staff=True
    )
    user.groups.add(front_desk_group())
    return user


def log_in(page, live_server, user) -> None:
    """Give the browser a staff session (the login form has its own tests)."""
    login = Client()
    login.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": login.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def lines_of_text(element) -> int:
    """How many lines the element's text is drawn on."""
    return element.evaluate(
        """el => {
            const range = document.createRange();
            range.selectNodeContents(el);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        }"""
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_dashboard_table_headings_read_on_one_line(
    browser_page, live_server, encino, desk_user, viewport
):
    stored_request(encino, age=timedelta(days=4))
    page = browser_page
    page.set_viewport_size(viewport)
    log_in(page, live_server, desk_user)
    page.goto(reverse("admin:index"))

    headings = page.locator("#consultation-summary thead th")
    assert headings.count() == 3
    for heading in headings.all():
        # Two lines at most (a long heading may wrap once on a phone), never a letter per line.
        assert lines_of_text(heading) <= (1 if viewport is DESKTOP else 2), heading.inner_text()
    # The table fits the screen: nothing to scroll sideways to.
    table = page.locator("#consultation-summary table").bounding_box()
    assert table["x"] + table["width"] <= viewport["width"]
