"""Real-browser journeys: a patient with the keyboard only, errors with axe-core, and staff."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from bookings.models import ConsultationRequest
from staff.models import StaffProfile
from tests.browser import assert_accessible
from tests.factories import front_desk_group, sign_in, valid_form_data

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quick_form(settings):
    # A test types faster than a person; the fill-time check has its own tests.
    settings.BOOKINGS_MIN_FILL_SECONDS = 0
    # Transactional tests share the cache table; start each one with a fresh rate limit.
    cache.clear()


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def tab_until(page, target: str, limit: int = 80) -> None:
    """Press Tab until this id (or tag) has focus; the honeypot must never get it."""
    visited = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        current = focused(page)
        visited.append(current)
        assert current != "id_website", "the honeypot must never take keyboard focus"
        if current == target:
            return
    raise AssertionError(f"Tab never reached {target}; focus went through {visited}")


def test_patient_completes_the_form_with_the_keyboard_only(browser_page, offices):
    page = browser_page
    page.goto("/consultation/")
    assert_accessible(page)

    tab_until(page, "id_first_name")
    page.keyboard.type("José")
    page.keyboard.press("Tab")
    page.keyboard.type("Núñez")
    page.keyboard.press("Tab")
    page.keyboard.type("jose.nunez@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("(213) 373-4253")

    page.keyboard.press("Tab")
    assert focused(page) == "id_office_0"
    page.keyboard.press("ArrowDown")  # arrow keys move through a radio group and pick
    assert page.is_checked("#id_office_1")

    tab_until(page, "id_patient_status_0")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page) == "id_contact_method_0"
    page.keyboard.press("ArrowDown")
    assert page.is_checked("#id_contact_method_1")  # email
    page.keyboard.press("Tab")
    assert focused(page) == "id_preferred_days_0"
    page.keyboard.press("Space")

    tab_until(page, "id_message")
    page.keyboard.type("Could you call me about a knee consultation?")
    page.keyboard.press("Tab")
    assert focused(page) == "id_consent_to_contact"
    page.keyboard.press("Space")

    tab_until(page, "BUTTON")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url.endswith("/consultation/thanks/")
    reference = page.locator(".request-reference").inner_text()
    consultation = ConsultationRequest.objects.get()
    assert reference == consultation.reference
    assert re.fullmatch(r"ENC-[A-Z0-9]{6}", reference)
    assert (consultation.first_name, consultation.last_name) == ("José", "Núñez")
    assert (consultation.contact_method, consultation.preferred_days) == ("email", "mon")
    assert consultation.status == "new"
    assert page.locator("main").get_by_role("link", name="(818) 555-0167").count() == 1
    assert_accessible(page)

    page.reload()  # reloading the thanks page sends nothing again
    assert ConsultationRequest.objects.count() == 1


def test_errors_are_summarised_focused_and_accessible_and_medical_detail_warned_once(
    browser_page, offices
):
    page = browser_page
    page.goto("/consultation/")
    page.fill("#id_first_name", "Ana")
    page.fill("#id_email", "ana@")
    page.fill("#id_message", "My date of birth is 04/12/1961; I take warfarin.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my request").click()

    assert page.title().startswith("Error:")
    assert focused(page) == "error-summary"
    summary = page.locator("#error-summary")
    assert summary.get_by_role("link", name="Please enter your last name.").count() == 1
    assert page.input_value("#id_first_name") == "Ana"
    assert page.input_value("#id_email") == "ana@"
    assert_accessible(page)

    summary.get_by_role("link", name="Please enter an email address like name@example.com.").click()
    assert focused(page) == "id_email"
    page.fill("#id_email", "ana@example.org")
    page.fill("#id_last_name", "Ruiz")
    page.fill("#id_phone", "818 555 0123")
    page.check("#id_patient_status_1")
    page.check("#id_contact_method_0")
    page.check("#id_office_0")
    page.check("#id_consent_to_contact")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my request").click()

    assert focused(page) == "medical-warning"
    assert ConsultationRequest.objects.count() == 0
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Send it as it is").click()

    assert page.url.endswith("/consultation/thanks/")
    consultation = ConsultationRequest.objects.get()
    assert consultation.medical_warning_shown is True
    assert consultation.message == "My date of birth is 04/12/1961; I take warfarin."


def test_staff_member_finds_a_request_by_reference_and_marks_it_contacted(
    browser_page, live_server, offices, django_user_model
):
    encino = next(o for o in offices if o.slug == "encino")
    patient = Client()
    patient.post("/consultation/", valid_form_data(encino, first_name="Marisol"))
    patient.post("/consultation/", valid_form_data(encino, first_name="Other"))
    consultation = ConsultationRequest.objects.get(first_name="Marisol")

    staff = django_user_model.objects.create_user("desk", "desk@example.org", is_staff=True)
    staff.groups.add(front_desk_group())
    StaffProfile.objects.create(user=staff, all_offices=True)
    login = Client()
    sign_in(login, staff)
    browser_page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": login.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    page = browser_page
    page.goto(reverse("admin:index"))
    assert page.locator("#consultation-summary").count() == 1
    page.goto(reverse("admin:bookings_consultationrequest_changelist"))
    page.fill("#searchbar", consultation.reference)
    with page.expect_navigation():
        page.press("#searchbar", "Enter")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "Marisol" in rows.first.inner_text()

    rows.first.locator("input.action-select").check()
    page.select_option("select[name=action]", "mark_contacted")
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()

    assert "1 request marked contacted." in page.locator("ul.messagelist").inner_text()
    consultation.refresh_from_db()
    assert consultation.status == "contacted"
    assert consultation.status_changes.last().changed_by == staff
