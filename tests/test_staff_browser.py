"""Staff accounts in Chromium: a new front-desk member sets up two-step sign-in and works only
Encino's requests; the privacy officer finds each look in the access record; a superuser
resets a lost phone. At desktop and phone widths, axe-checked, without a third party."""

import csv
import re

import pytest
from django.contrib.auth.models import Group, User
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from bookings.roles import FRONT_DESK
from staff.roles import PRIVACY_OFFICER
from tests.browser import assert_accessible
from tests.factories import make_consultation, make_staff, totp_code

PASSWORD = "a long front desk pass phrase"
VIEWPORTS = [{"width": 1280, "height": 900}, {"width": 390, "height": 844}]


def new_page(chromium, live_server, viewport):
    context = chromium.new_context(base_url=live_server.url, viewport=viewport)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((live_server.url, "data:"))
            else pytest.fail(f"asked a third party for {route.request.url}")
        ),
    )
    return context.new_page()


def log_in(page, username, password=PASSWORD):
    page.goto("/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    # Wait for the answer: a goto() sooner would cancel the request and its session cookie.
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def enter_code(page, device):
    expect(page).to_have_url(re.compile(r"/admin/two-step/verify/"))
    page.get_by_label("Code").fill(totp_code(device))
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_a_new_front_desk_member_enrols_works_encino_and_the_officer_sees_every_look(
    chromium, live_server, offices, viewport
):
    encino = next(o for o in offices if o.slug == "encino")
    los_angeles = next(o for o in offices if o.slug == "los-angeles")
    mine = [make_consultation(encino, first_name=name) for name in ("Marisol", "Beatriz")]
    theirs = make_consultation(los_angeles, first_name="Lucia")
    make_staff(
        "desk", password=PASSWORD, groups=[Group.objects.get(name=FRONT_DESK)], offices=[encino]
    )
    officer = make_staff(
        "privacy", password=PASSWORD, groups=[Group.objects.get(name=PRIVACY_OFFICER)], otp=True
    )

    page = new_page(chromium, live_server, viewport)
    log_in(page, "desk")
    # Made to set up an authenticator app before any admin page.
    expect(page).to_have_url(re.compile(r"/admin/two-step/set-up/"))
    expect(page.locator("img.two-step-qr")).to_be_visible()
    assert page.locator("img.two-step-qr").get_attribute("src").startswith("data:image/svg+xml")
    assert_accessible(page)
    page.goto("/admin/bookings/consultationrequest/")
    expect(page).to_have_url(re.compile(r"/admin/two-step/set-up/"))

    device = TOTPDevice.objects.get(user__username="desk")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.locator("#error-summary")).to_contain_text("That code did not match")
    assert_accessible(page)
    page.wait_for_timeout(1100)  # django-otp holds back a second try for a second
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.locator(".two-step-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="I have saved them, continue").click()
    # On to the page the member first asked for.
    expect(page).to_have_url(re.compile(r"/admin/bookings/consultationrequest/$"))
    page.goto("/admin/")
    summary = page.locator("#consultation-summary")
    expect(summary).to_contain_text("Encino")
    expect(summary).not_to_contain_text("Los Angeles")

    # Next time: password, then the code the app shows.
    page.get_by_role("button", name="Log out").click()
    log_in(page, "desk")
    assert_accessible(page)
    enter_code(page, device)
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.goto("/admin/bookings/consultationrequest/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#result_list")).not_to_contain_text(theirs.reference)
    page.get_by_role("link", name=mine[0].reference).click()
    expect(page.locator("h1, h2").first).to_be_visible()
    expect(page.locator("#content")).to_contain_text("Marisol")
    response = page.goto(f"/admin/bookings/consultationrequest/{theirs.pk}/change/")
    assert response.status == 404

    page.goto("/admin/bookings/consultationrequest/")
    for checkbox in page.locator("#result_list input.action-select").all():
        checkbox.check()
    page.select_option("select[name=action]", "export_csv")
    with page.expect_download() as download:
        page.get_by_role("button", name="Run").or_(page.get_by_role("button", name="Go")).click()
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        references = [row[0] for row in csv.reader(exported)][1:]
    assert sorted(references) == sorted(c.reference for c in mine)
    page.context.close()

    # The privacy officer finds the look at the request and the export that held it.
    page = new_page(chromium, live_server, viewport)
    log_in(page, "privacy")
    enter_code(page, officer.totpdevice_set.get())
    page.goto("/admin/staff/accessrecord/")
    assert_accessible(page)
    page.fill("#searchbar", mine[0].reference)
    page.press("#searchbar", "Enter")
    found = page.locator("#result_list tbody tr")
    expect(found).to_have_count(2)
    expect(found.filter(has_text="Opened a request")).to_contain_text("desk")
    expect(found.filter(has_text="Exported to CSV")).to_contain_text("2 requests")
    page.goto(
        "/admin/staff/accessrecord/?user__id__exact=" + str(User.objects.get(username="desk").pk)
    )
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    # The officer sees who looked, never the patients.
    assert page.goto("/admin/bookings/consultationrequest/").status == 403
    page.context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_a_superuser_resets_a_lost_phone_and_the_member_sets_up_a_new_one(
    chromium, live_server, viewport
):
    boss = User.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    boss_app = TOTPDevice.objects.create(user=boss, name="Authenticator app")
    make_staff("desk", password=PASSWORD, otp=True)

    page = new_page(chromium, live_server, viewport)
    log_in(page, "boss")
    enter_code(page, boss_app)
    page.goto("/admin/auth/user/")
    page.locator("#result_list tr", has_text="desk").locator("input.action-select").check()
    page.select_option("select[name=action]", "reset_two_step")
    page.get_by_role("button", name="Run").or_(page.get_by_role("button", name="Go")).click()
    expect(page.locator(".messagelist")).to_contain_text("Two-step sign-in reset for desk")
    assert_accessible(page)
    page.context.close()

    page = new_page(chromium, live_server, viewport)
    log_in(page, "desk")
    expect(page).to_have_url(re.compile(r"/admin/two-step/set-up/"))
    page.context.close()


@pytest.mark.django_db(transaction=True)
def test_setting_up_and_signing_in_with_a_code_work_without_javascript(chromium, live_server):
    make_staff("desk", password=PASSWORD, groups=[Group.objects.get(name=FRONT_DESK)])
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "desk")
    expect(page).to_have_url(re.compile(r"/admin/two-step/set-up/"))
    page.get_by_label("Code").fill(totp_code(TOTPDevice.objects.get(user__username="desk")))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.locator(".two-step-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    context.close()
