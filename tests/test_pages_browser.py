import re

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from pages.models import Treatment
from tests.browser import axe_violations, describe_violations
from tests.factories import make_staff, make_treatment, sign_in

PUBLIC_PAGES = [
    "/",
    "/treatments/",
    "/treatments/stem-cell-therapy/",
    "/treatments/platelet-rich-plasma/",
    "/conditions/",
    "/conditions/knee-osteoarthritis/",
    "/locations/",
    "/locations/encino/",
    "/physicians/helen-amari/",
    "/privacy/",
    "/medical-disclaimer/",
    "/accessibility/",
    "/about/",
]


@pytest.fixture
def demo_site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo_content", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_patient_reads_a_treatment_and_asks_for_a_consultation_about_it(
    browser_page, live_server, demo_site
):
    page = browser_page
    page.goto(live_server.url + "/")
    page.locator("main").get_by_role("link", name="Stem Cell Therapy").click()
    expect(page).to_have_url(re.compile(r"/treatments/stem-cell-therapy/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Stem Cell Therapy")

    contents = page.get_by_role("navigation", name="On this page")
    contents.get_by_role("link", name="Recovery").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#recovery$"))
    expect(page.get_by_role("heading", name="Recovery", level=2)).to_be_in_viewport()

    request = page.locator("main").get_by_role("link", name="Request a consultation", exact=True)
    assert request.get_attribute("href").endswith("consultation/?treatment=stem-cell-therapy")
    request.click()
    expect(page).to_have_url(re.compile(r"/consultation/\?treatment=stem-cell-therapy$"))
    expect(page.get_by_label("Treatment")).to_have_value(
        str(Treatment.objects.get(slug="stem-cell-therapy").pk)
    )


@pytest.mark.django_db(transaction=True)
def test_every_public_page_type_passes_axe(browser_page, live_server, demo_site):
    failures = {}
    for path in PUBLIC_PAGES:
        response = browser_page.goto(live_server.url + path)
        assert response.status == 200, path
        assert browser_page.locator("h1").count() == 1, path
        violations = axe_violations(browser_page)
        if violations:
            failures[path] = describe_violations(violations)
    assert not failures, failures


@pytest.mark.django_db(transaction=True)
def test_an_editors_draft_preview_passes_axe(browser_page, live_server, demo_site):
    draft = make_treatment(slug="draft", title="Draft page", status=Treatment.Status.DRAFT)
    client = Client()
    sign_in(client, make_staff(permissions=["pages.change_treatment"]))
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    browser_page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    browser_page.goto(live_server.url + draft.get_absolute_url())
    expect(browser_page.get_by_role("status")).to_contain_text("Draft preview")
    violations = axe_violations(browser_page)
    assert not violations, describe_violations(violations)
