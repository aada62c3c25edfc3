"""Online booking in Chromium: a patient without JavaScript books, moves and cancels at Encino,
and front desk sees each step; the pages on a phone and in Spanish pass axe-core."""

import re
from urllib.parse import urlparse

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command

from scheduling.models import Appointment
from tests.browser import assert_accessible
from tests.factories import authenticator_app, front_desk_group, make_staff, totp_code

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
STAFF_PASSWORD = "a front desk pass phrase 7"


@pytest.fixture(autouse=True)
def demo_site(settings):
    settings.BOOKINGS_MIN_FILL_SECONDS = 0  # a test types faster than a person
    cache.clear()
    call_command("load_demo_content", verbosity=0)
    call_command("load_demo_schedule", verbosity=0)


@pytest.fixture
def open_page(chromium, live_server):
    """open_page(viewport, javascript=True): a page that may only reach the live server."""
    contexts, outside = [], []

    def guard(route):
        if urlparse(route.request.url).hostname in {"localhost", "127.0.0.1"}:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def make(viewport, javascript=True):
        context = chromium.new_context(
            base_url=live_server.url, viewport=viewport, java_script_enabled=javascript
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.route("**/*", guard)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not outside, f"The page asked a third party for: {outside}"


def calendar_of(message) -> icalendar.Calendar:
    (name, content, mimetype), *_ = message.attachments
    assert mimetype.startswith("text/calendar")
    return icalendar.Calendar.from_ical(content)


def event_of(message):
    return next(iter(calendar_of(message).walk("VEVENT")))


def manage_path(message) -> str:
    return urlparse(re.search(r"https?://\S+/book/manage/\S+/", message.body).group(0)).path


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def sign_in_front_desk(page):
    """Both steps, as the front desk signs in: password, then the code their app shows."""
    user = make_staff(
        "desk", password=STAFF_PASSWORD, groups=[front_desk_group()], offices="all", otp=True
    )
    page.goto(f"/{settings.ADMIN_URL}login/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", STAFF_PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.get_by_label("Code").fill(totp_code(authenticator_app(user)))
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_a_patient_without_javascript_books_moves_and_cancels_and_front_desk_sees_each_step(
    open_page,
):
    patient = open_page(DESKTOP, javascript=False)
    desk = open_page(DESKTOP)
    sign_in_front_desk(desk)

    # From the Encino office page to the first free time.
    patient.goto("/locations/encino/")
    with patient.expect_navigation():
        patient.click("text=Book a time online")
    patient.check("label:has-text('New patient consultation')")
    with patient.expect_navigation():
        patient.click("text=Show open times")
    assert "All times are Pacific Time (Los Angeles)" in patient.content()
    first = patient.locator("input[name=slot]").first
    first_value, first_label = first.get_attribute("value"), first.get_attribute("id")
    patient.click(f"label[for={first_label}]")
    with patient.expect_navigation():
        patient.click("text=Continue")
    patient.fill("#id_first_name", "Ana")
    patient.fill("#id_last_name", "Ruiz")
    patient.fill("#id_email", "ana.ruiz@example.org")
    patient.fill("#id_phone", "(213) 373-4253")
    patient.check("#id_consent_to_contact")
    with patient.expect_navigation():
        patient.click("text=Book this time")
    assert "Your appointment is booked" in patient.content()
    appointment = Appointment.objects.get()
    assert appointment.office.slug == "encino" and appointment.reference in patient.content()

    # The email and its calendar file.
    (confirmation,) = mail.outbox
    assert calendar_of(confirmation)["METHOD"] == "REQUEST"
    event = event_of(confirmation)
    assert event.decoded("DTSTART").isoformat(timespec="minutes") == first_value
    uid = event["UID"]

    # Front desk sees it on the day view.
    day = first_value[:10]
    desk.goto(
        f"/{settings.ADMIN_URL}scheduling/appointment/front-desk/"
        f"?office={appointment.office_id}&day={day}"
    )
    assert appointment.reference in desk.content() and "Ana Ruiz" in desk.content()

    # Reschedule through the link.
    first_link = manage_path(confirmation)
    patient.goto(first_link)
    with patient.expect_navigation():
        patient.click("text=Choose another time")
    other = patient.locator("input[name=slot]").nth(1)
    new_value = other.get_attribute("value")
    patient.click(f"label[for={other.get_attribute('id')}]")
    with patient.expect_navigation():
        patient.click("text=Move my appointment to this time")
    assert "Your appointment has a new time" in patient.content()
    change = mail.outbox[1]
    assert calendar_of(change)["METHOD"] == "REQUEST"
    assert event_of(change)["UID"] == uid and event_of(change)["SEQUENCE"] == 1
    assert event_of(change).decoded("DTSTART").isoformat(timespec="minutes") == new_value
    desk.reload()
    assert "Moved" in desk.content() or new_value[11:16] in desk.content()

    # The first link is dead; cancel through the newest one.
    patient.goto(first_link)
    assert "This link no longer works" in patient.content()
    second_link = manage_path(change)
    patient.goto(second_link)
    with patient.expect_navigation():
        patient.click("text=Cancel my appointment")
    assert "Your appointment is cancelled" in patient.content()
    cancellation = mail.outbox[2]
    assert calendar_of(cancellation)["METHOD"] == "CANCEL"
    assert event_of(cancellation)["UID"] == uid and event_of(cancellation)["SEQUENCE"] == 2
    for link in (first_link, second_link):
        patient.goto(link)
        assert "This link no longer works" in patient.content()

    # The first time is open again for the next patient.
    patient.goto(f"/book/times/?type={appointment.consultation_type_id}&week={day}")
    assert patient.locator(f"input[name=slot][value='{first_value}']").count() == 1

    # Front desk: the appointment's page shows each step.
    desk.goto(f"/{settings.ADMIN_URL}scheduling/appointment/{appointment.pk}/change/")
    history = desk.locator("#events-group").inner_text()
    assert all(step in history for step in ("Booked", "Moved", "Cancelled"))
    assert "Cancelled" in desk.content()


@pytest.mark.parametrize(
    ("viewport", "prefix", "words"),
    [
        (PHONE, "/es", {"continue": "Continuar", "book": "Reservar esta hora"}),
        (DESKTOP, "", {"continue": "Continue", "book": "Book this time"}),
    ],
)
def test_the_booking_pages_are_accessible_on_a_phone_and_a_desktop(
    open_page, viewport, prefix, words
):
    page = open_page(viewport)
    page.goto(f"{prefix}/book/?office=encino")
    assert_accessible(page)
    assert no_sideways_scroll(page)
    page.locator("input[name=type]").first.check()
    with page.expect_navigation():
        page.click("form#kind-choices button[type=submit]")
    assert_accessible(page)
    assert no_sideways_scroll(page)
    # The keyboard reaches the times: the first one is picked with Space.
    page.locator("input[name=slot]").first.focus()
    page.keyboard.press("Space")
    assert page.locator("input[name=slot]").first.is_checked()
    with page.expect_navigation():
        page.click(f"text={words['continue']}")
    assert_accessible(page)
    # Sent empty: the error summary takes focus and passes axe too.
    with page.expect_navigation():
        page.click(f"text={words['book']}")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert_accessible(page)
    assert no_sideways_scroll(page)


def test_the_front_desk_day_view_reads_on_a_phone(open_page):
    page = open_page(PHONE)
    sign_in_front_desk(page)
    page.goto(f"/{settings.ADMIN_URL}scheduling/appointment/front-desk/")
    assert "Call-back requests waiting" in page.content()
    with page.expect_navigation():
        page.click("text=Week view")
    assert "Appointments and free time per day" in page.content()
