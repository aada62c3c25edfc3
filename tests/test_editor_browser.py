"""A content editor's everyday path, in Chromium: sign in, change a sentence of a live page and
save. The change is kept as a draft: patients (in browsers that never signed in) keep seeing
the page as it was until a clinical reviewer publishes it (tests/test_editorial_browser.py)."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from playwright.sync_api import expect

from pages.models import Treatment
from tests.factories import authenticator_app, totp_code

OLD_SENTENCE = "Soreness is the most common problem at first."
NEW_SENTENCE = "Mild soreness is common for the first few days."


@pytest.fixture
def editor(db):
    user = User.objects.create_user(
        "marta", password="a long editor pass phrase", is_staff=True, first_name="Marta"
    )
    user.groups.add(Group.objects.get(name="Content editor"))
    authenticator_app(user)
    return user


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=str
)
def test_an_editors_change_to_a_live_page_is_a_draft_patients_do_not_see(
    chromium, live_server, settings, tmp_path, editor, viewport
):
    settings.MEDIA_ROOT = tmp_path
    settings.PAGE_CACHE_ENABLED = True  # as in production: the patient's copy must not go stale
    settings.PAGE_CACHE_WARM = False  # warming is tested on its own (test_page_cache)
    call_command("load_demo_content", verbosity=0)
    treatment = Treatment.objects.get(slug="stem-cell-therapy")
    public_url = live_server.url + treatment.get_absolute_url()

    patient = chromium.new_context(viewport=viewport)
    before = patient.new_page()
    before.goto(public_url)
    expect(before.locator("#recovery + div")).to_contain_text(OLD_SENTENCE)  # now cached

    staff = chromium.new_context(viewport=viewport)
    page = staff.new_page()
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("marta")
    page.get_by_label("Password").fill("a long editor pass phrase")
    page.get_by_role("button", name="Log in").click()
    # The second step: the code the editor's authenticator app shows.
    page.get_by_label("Code").fill(totp_code(editor.totpdevice_set.get()))
    page.get_by_role("button", name="Sign in").click()
    # Signed in once the admin index shows; going on sooner would cancel the sign-in's request
    # (and its new session cookie) mid-flight.
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(live_server.url + f"/admin/pages/treatment/{treatment.pk}/change/")
    recovery = page.locator("textarea[name$='-body_en']").filter(has_text=OLD_SENTENCE)
    expect(recovery).to_have_count(1)
    recovery.fill(recovery.input_value().replace(OLD_SENTENCE, NEW_SENTENCE))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/pages/treatment/$"))
    expect(page.locator(".messagelist")).to_contain_text("saved as a draft")
    draft = Treatment.objects.get(draft_of=treatment)
    # The editor previews the draft in the public layout.
    page.goto(live_server.url + draft.preview_url())
    expect(page.locator("#recovery + div")).to_contain_text(NEW_SENTENCE)
    expect(page.get_by_role("status")).to_contain_text("These are changes to a live page")
    staff.close()

    fresh = chromium.new_context(viewport=viewport)
    after = fresh.new_page()
    after.goto(public_url)
    expect(after.locator("#recovery + div")).to_contain_text(OLD_SENTENCE)
    expect(after.locator("#recovery + div")).not_to_contain_text(NEW_SENTENCE)
    assert after.goto(live_server.url + draft.preview_url()).status == 404
    # The patient who read the page before still sees it as it was.
    before.reload()
    expect(before.locator("#recovery + div")).to_contain_text(OLD_SENTENCE)
    for context in (patient, fresh):
        context.close()
