"""The editorial workflow end to end, in Chromium, with the page cache on as in production:
an editor changes a sentence of the live stem cell page (English and Spanish) and submits it;
patients keep seeing the old sentence; a clinical reviewer finds it waiting, compares it with
the live page and approves it; patients see the new sentence; the reviewer restores the
previous version as a draft and publishes it, and patients see the old sentence again."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from playwright.sync_api import expect

from pages.models import Physician, Treatment
from pages.roles import CLINICAL_REVIEWER, CONTENT_EDITOR
from tests.browser import assert_accessible
from tests.factories import authenticator_app, totp_code

OLD = "Soreness is the most common problem at first."
NEW = "Mild soreness is common for the first few days."
OLD_ES = "Al principio lo más común es sentir dolor en la zona."
NEW_ES = "Es común sentir un poco de dolor los primeros días."
PASSWORD = "a long pass phrase for staff"


def staff_user(username: str, group: str) -> User:
    user = User.objects.create_user(
        username, password=PASSWORD, is_staff=True, first_name=username.title()
    )
    user.groups.add(Group.objects.get(name=group))
    authenticator_app(user)
    return user


def sign_in(context, live_server, username: str):
    page = context.new_page()
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # The second step: the code the person's authenticator app shows.
    page.get_by_label("Code").fill(
        totp_code(User.objects.get(username=username).totpdevice_set.get())
    )
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#site-name")).to_be_visible()
    return page


def recovery_text(chromium, url: str, viewport) -> str:
    """What an anonymous patient reads in the Recovery section (a new browser each time)."""
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(url)
    text = page.locator("#recovery + div").inner_text()
    assert_accessible(page)
    context.close()
    return text


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=str
)
def test_a_change_to_a_live_page_is_reviewed_published_and_rolled_back(
    chromium, live_server, settings, tmp_path, viewport
):
    settings.MEDIA_ROOT = tmp_path
    settings.PAGE_CACHE_ENABLED = True  # the public's copy must never be a draft, nor go stale
    settings.PAGE_CACHE_WARM = False
    call_command("load_demo_content", verbosity=0)
    treatment = Treatment.objects.get(slug="stem-cell-therapy")
    english = live_server.url + treatment.get_absolute_url()
    spanish = live_server.url + "/es" + treatment.get_absolute_url()
    staff_user("marta", CONTENT_EDITOR)
    reviewer = staff_user("helen", CLINICAL_REVIEWER)
    Physician.objects.filter(slug="helen-amari").update(user=reviewer)

    assert OLD in recovery_text(chromium, english, viewport)  # now in the page cache
    assert OLD_ES in recovery_text(chromium, spanish, viewport)

    # The editor changes the sentence in both languages and submits the draft.
    editor_context = chromium.new_context(viewport=viewport)
    page = sign_in(editor_context, live_server, "marta")
    page.goto(live_server.url + f"/admin/pages/treatment/{treatment.pk}/change/")
    for old, new, suffix in [(OLD, NEW, "en"), (OLD_ES, NEW_ES, "es")]:
        field = page.locator(f"textarea[name$='-body_{suffix}']").filter(has_text=old)
        field.fill(field.input_value().replace(old, new))
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator(".messagelist")).to_contain_text("is waiting for a clinical reviewer")
    editor_context.close()

    # Patients still read the live page (a draft never reaches them or the page cache).
    assert OLD in recovery_text(chromium, english, viewport)
    assert OLD_ES in recovery_text(chromium, spanish, viewport)

    # The reviewer finds it waiting, compares it with the live page, and approves it.
    reviewer_context = chromium.new_context(viewport=viewport)
    page = sign_in(reviewer_context, live_server, "helen")
    waiting = page.locator("#editorial-summary")
    expect(waiting).to_contain_text("Waiting for your review")
    assert_accessible(page)
    waiting.get_by_role("link", name="Stem Cell Therapy").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review")
    comparison = page.locator("table.editorial-compare")
    expect(comparison.locator("del").first).to_be_visible()
    expect(comparison).to_contain_text(NEW)
    expect(comparison).to_contain_text(NEW_ES)
    assert_accessible(page)
    page.get_by_label("Comment for the history").fill("Softer wording; checked.")
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("is published")

    assert NEW in recovery_text(chromium, english, viewport)
    assert NEW_ES in recovery_text(chromium, spanish, viewport)

    # The reviewer restores the previous version as a draft, and publishes it.
    versions = live_server.url + f"/admin/pages/treatment/{treatment.pk}/versions/"
    page.goto(versions)
    assert_accessible(page)
    page.get_by_label("Compare from: the live page now").check()
    page.locator("tr", has_text="before its editorial history began").get_by_label(
        re.compile("^Compare to:")
    ).check()
    page.get_by_role("button", name="Compare the two versions").click()
    comparison = page.locator("table.editorial-compare")
    expect(comparison.locator("ins", has_text="Soreness")).to_be_visible()  # what a restore brings
    assert_accessible(page)
    page.goto(versions)
    earliest = page.locator("tr", has_text="before its editorial history began")
    earliest.get_by_role("button", name="Restore as a draft").click()
    expect(page.locator(".messagelist")).to_contain_text("is now the page's draft")
    draft = Treatment.objects.get(draft_of=treatment)
    expect(page).to_have_url(re.compile(rf"/admin/pages/treatment/{draft.pk}/change/$"))
    page.get_by_role("link", name="Review: compare with the live page").click()
    expect(page.locator("table.editorial-compare")).to_contain_text(OLD)
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("is published")
    reviewer_context.close()

    assert OLD in recovery_text(chromium, english, viewport)
    assert OLD_ES in recovery_text(chromium, spanish, viewport)
    live = Treatment.objects.get(pk=treatment.pk)
    assert live.reviewed_by.slug == "helen-amari" and not live.is_review_overdue
