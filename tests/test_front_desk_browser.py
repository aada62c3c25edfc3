"""The front desk's day in Chromium, at desktop width and on a 390 px phone."""

import csv
import io
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
from staff.models import StaffProfile
from tests.browser import assert_accessible
from tests.factories import front_desk_group, sign_in, valid_form_data

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
    StaffProfile.objects.create(user=user, all_offices=True)
    return user


def log_in(page, live_server, user) -> None:
    """Give the browser a staff session (the login form has its own tests)."""
    login = Client()
    sign_in(login, user)
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


@pytest.fixture
def colleague(django_user_model):
    user = django_user_model.objects.create_user(
        "rk", "rosa@example.org", first_name="Rosa", last_name="Kim", is_staff=True
    )
    user.groups.add(front_desk_group())
    StaffProfile.objects.create(user=user, all_offices=True)
    return user


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_front_desk_works_a_request_from_the_dashboard_to_the_csv(
    browser_page, live_server, encino, desk_user, colleague, viewport, settings, tmp_path
):
    settings.BOOKINGS_MIN_FILL_SECONDS = 0
    patient = Client()
    sent = patient.post("/consultation/", valid_form_data(encino, first_name="Marisol"))
    assert sent.status_code == 302
    consultation = ConsultationRequest.objects.get()
    page = browser_page
    page.set_viewport_size(viewport)
    log_in(page, live_server, desk_user)

    # The dashboard: the clinic's name, the request waiting, one click to the office's list.
    page.goto(reverse("admin:index"))
    assert settings.SITE_NAME in page.locator("#site-name").inner_text()
    summary = page.locator("#consultation-summary")
    encino_row = summary.locator("tbody tr", has_text="Encino")
    assert encino_row.locator("td").first.inner_text() == "1"
    assert_accessible(page)
    with page.expect_navigation():
        encino_row.get_by_role("link", name="Encino").click()

    # The list: the request, by reference, to open.
    row = page.locator("#result_list tbody tr", has_text=consultation.reference)
    assert "Marisol" in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("link", name=consultation.reference).click()

    # The request: assign a colleague by name, add a note, move it on; no time on a blank note.
    assignees = page.locator("#id_assigned_to option").all_inner_texts()
    assert assignees == ["---------", "Dana Whitfield", "Rosa Kim"]
    blank_note = page.locator("#notes-0")
    assert blank_note.locator("td.field-written_at").inner_text().strip() == ""
    page.select_option("#id_assigned_to", label="Rosa Kim")
    page.select_option("#id_status", label="Contacted")
    page.fill("#id_notes-0-body", "Left a voicemail; will try again after 3 pm.")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()

    assert "was changed successfully" in page.locator("ul.messagelist").inner_text()
    note = page.locator("#notes-0")
    assert "Left a voicemail" in note.inner_text() and "Dana Whitfield" in note.inner_text()
    assert note.locator("a[href*='/auth/user/']").count() == 0
    history = page.locator("#status_changes-group").inner_text()
    assert "Contacted" in history and "Dana Whitfield" in history
    consultation.refresh_from_db()
    assert (consultation.status, consultation.assigned_to) == ("contacted", colleague)

    # The CSV of the list: the phone as people write it, the assignee by name.
    page.goto(reverse("admin:bookings_consultationrequest_changelist") + "?status=all")
    page.locator("#result_list tbody tr input.action-select").first.check()
    page.select_option("select[name=action]", "export_csv")
    with page.expect_download() as download:
        page.get_by_role("button", name="Go").click()
    path = tmp_path / "export.csv"
    download.value.save_as(path)
    exported = next(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert (exported["Reference"], exported["Phone"]) == (consultation.reference, "(213) 373-4253")
    assert (exported["Assigned to"], exported["Status"]) == ("Rosa Kim", "Contacted")


@pytest.mark.parametrize(
    ("language", "viewport", "refusal"),
    [
        ("en", DESKTOP, "Please enter only your name here, without web or email addresses."),
        ("es", PHONE, "Escriba aquí solo su nombre, sin direcciones web ni de correo electrónico."),
    ],
    ids=["english-desktop", "spanish-phone"],
)
def test_a_patient_who_types_a_link_as_a_name_is_asked_politely_then_sends(
    browser_page, offices, settings, language, viewport, refusal
):
    settings.BOOKINGS_MIN_FILL_SECONDS = 0
    page = browser_page
    page.set_viewport_size(viewport)
    page.goto("/es/consultation/" if language == "es" else "/consultation/")
    page.fill("#id_first_name", "Visit https://evil.example/r")
    page.fill("#id_last_name", "Ruiz")
    page.fill("#id_email", "ana@example.org")
    page.fill("#id_phone", "818 555 0123")
    page.check("#id_office_1")
    page.check("#id_patient_status_0")
    page.check("#id_contact_method_0")
    page.fill("#id_message", "Could you call me about a knee consultation?")
    page.check("#id_consent_to_contact")
    with page.expect_navigation():
        page.locator("#consultation-form button[type=submit]").click()

    summary = page.locator("#error-summary")
    assert summary.get_by_role("link", name=refusal).count() == 1
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.input_value("#id_last_name") == "Ruiz"  # nothing else typed is lost
    assert_accessible(page)
    assert ConsultationRequest.objects.count() == 0

    page.fill("#id_first_name", "Ana María")
    with page.expect_navigation():
        page.locator("#consultation-form button[type=submit]").click()
    assert page.url.endswith("/consultation/thanks/")
    consultation = ConsultationRequest.objects.get()
    assert (consultation.first_name, consultation.language) == ("Ana María", language)
    assert consultation.reference in page.locator(".request-reference").inner_text()
