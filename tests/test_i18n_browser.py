"""Spanish pages in Chromium: lang="es", axe-core clean, and the switcher by keyboard."""

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import expect

from pages.models import Treatment
from tests.browser import assert_accessible
from tests.factories import remove_spanish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_site(settings, tmp_path, offices):
    settings.MEDIA_ROOT = tmp_path
    settings.BOOKINGS_MIN_FILL_SECONDS = 0
    cache.clear()  # transactional tests share the cache table: a fresh rate limit
    call_command("load_demo_content", verbosity=0)


def test_spanish_home_and_treatment_pages_pass_axe(browser_page, live_server, demo_site):
    page = browser_page
    page.goto(live_server.url + "/es/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("navigation", name="Principal")).to_be_visible()
    assert_accessible(page)

    page.locator("main").get_by_role("link", name="Terapia con células madre").click()
    expect(page).to_have_url(re.compile(r"/es/treatments/stem-cell-therapy/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("navigation", name="En esta página")).to_be_visible()
    assert_accessible(page)

    # A page still in English: the fallback parts say so with lang="en", and axe agrees.
    remove_spanish(Treatment.objects.get(slug="platelet-rich-plasma"))
    page.goto(live_server.url + "/es/treatments/platelet-rich-plasma/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_attribute("lang", "en")
    assert_accessible(page)


def test_spanish_form_with_errors_passes_axe_and_focuses_the_summary(
    browser_page, live_server, demo_site
):
    page = browser_page
    page.goto(live_server.url + "/es/consultation/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_label("Nombre").fill("José")
    page.get_by_label("Correo electrónico (obligatorio)").fill("jose@")
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar mi solicitud").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Hay un problema con su solicitud")
    expect(summary.get_by_role("link", name="Escriba su apellido.")).to_be_visible()
    assert page.title().startswith("Error: Solicitar una consulta")
    assert_accessible(page)

    summary.get_by_role("link", name="Escriba su apellido.").click()
    expect(page.locator("#id_last_name")).to_be_focused()


def test_the_switcher_works_by_keyboard_and_keeps_the_page(browser_page, live_server, demo_site):
    page = browser_page
    page.goto(live_server.url + "/locations/encino/")
    link = page.get_by_role("navigation", name="Language").get_by_role("link", name="Español")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/es/locations/encino/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text("Consultorio de Encino")
    back = page.get_by_role("navigation", name="Idioma").get_by_role("link", name="English")
    back.click()
    expect(page).to_have_url(re.compile(r"/locations/encino/$"))
    expect(page.locator("h1")).to_have_text("Encino office")
