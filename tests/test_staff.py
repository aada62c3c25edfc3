"""Staff accounts: two-step sign-in, each office's own requests, the access record, login limits."""

import csv
import io
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from bookings.models import ConsultationRequest, StatusChange
from bookings.notifications import build_email
from bookings.roles import FRONT_DESK
from pages.models import Treatment
from pages.roles import CLINICAL_REVIEWER, CONTENT_EDITOR
from staff.models import AccessRecord, AccountLock, StaffProfile
from staff.roles import PRIVACY_OFFICER
from tests.factories import (
    authenticator_app,
    make_consultation,
    make_staff,
    make_treatment,
    sign_in,
    totp_code,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a long and correct staff password"
LOGIN = reverse("admin:login")
CHANGELIST = reverse("admin:bookings_consultationrequest_changelist")
ACCESS_RECORD = reverse("admin:staff_accessrecord_changelist")


def change_url(consultation):
    return reverse("admin:bookings_consultationrequest_change", args=[consultation.pk])


def log_in(client, username, password=PASSWORD, ip="203.0.113.5", **extra):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
        **extra,
    )


@pytest.fixture
def encino(offices):
    return next(o for o in offices if o.slug == "encino")


@pytest.fixture
def los_angeles(offices):
    return next(o for o in offices if o.slug == "los-angeles")


@pytest.fixture
def encino_desk(encino):
    """A front-desk member of the Encino office only, with an authenticator app."""
    return make_staff(
        "encino-desk",
        groups=[Group.objects.get(name=FRONT_DESK)],
        offices=[encino],
        otp=True,
        password=PASSWORD,
        email="desk@example.org",
    )


@pytest.fixture
def officer():
    return make_staff("privacy", groups=[Group.objects.get(name=PRIVACY_OFFICER)], otp=True)


# --- Two-step sign-in ---------------------------------------------------------------------


def test_a_new_superuser_is_taken_to_set_up_an_app_before_any_admin_page(client):
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    response = log_in(client, "root")
    assert response.status_code == 302
    for url in ["/admin/", CHANGELIST, ACCESS_RECORD, "/admin/auth/user/", "/admin/pages/office/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("staff:set_up")), url


def test_enrolling_with_a_code_from_the_key_then_signing_in_asks_for_a_code(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after the wrong code below
    user = make_staff("desk", password=PASSWORD, groups=[Group.objects.get(name=FRONT_DESK)])
    log_in(client, "desk")
    page = client.get(reverse("staff:set_up"))
    html = page.content.decode()
    assert page.status_code == 200
    # The QR code is drawn here, inline as an SVG data URI; the key is there to type by hand.
    assert re.search(r'<img class="two-step-qr" src="data:image/svg\+xml;base64,', html)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert "otpauth://" in device.config_url

    wrong = client.post(reverse("staff:set_up"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "That code did not match" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302

    done = client.post(reverse("staff:set_up"), {"code": totp_code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/admin/").status_code == 200

    client.post(reverse("admin:logout"))
    log_in(client, "desk")
    response = client.get("/admin/")
    assert response["Location"].startswith(reverse("staff:verify"))
    response = client.post(reverse("staff:verify"), {"code": totp_code(device), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_signs_in_once(client):
    user = make_staff("desk", password=PASSWORD, otp=True)
    sign_in(client, user)
    codes = re.findall(
        r"<li><code>([a-z0-9]+)</code></li>",
        client.post(reverse("staff:two_step")).content.decode(),
    )
    for attempt in range(2):
        fresh = Client()
        log_in(fresh, "desk")
        response = fresh.post(reverse("staff:verify"), {"code": codes[0].upper()})
        if attempt == 0:
            assert response.status_code == 302
            assert fresh.get("/admin/").status_code == 200
        else:
            assert response.status_code == 200
            assert fresh.get("/admin/").status_code == 302


def test_a_password_alone_gives_no_staff_power_on_public_pages(client):
    draft = make_treatment(slug="draft-knee", status=Treatment.Status.DRAFT)
    make_staff("editor", password=PASSWORD, permissions=["pages.change_treatment"], otp=True)
    log_in(client, "editor")
    assert client.get(draft.get_absolute_url()).status_code == 404
    sign_in(client, User.objects.get(username="editor"))
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_a_superuser_resets_a_lost_device_and_it_is_recorded(client):
    boss = User.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    desk = make_staff("desk", password=PASSWORD, otp=True)
    sign_in(Client(), desk)
    StaticDevice.objects.create(user=desk, name="Recovery codes")
    sign_in(client, boss)
    response = client.post(
        "/admin/auth/user/",
        {"action": "reset_two_step", "_selected_action": [desk.pk]},
        follow=True,
    )
    assert "Two-step sign-in reset for desk" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=desk).exists()
    assert not StaticDevice.objects.filter(user=desk).exists()
    entry = LogEntry.objects.get(object_id=str(desk.pk))
    assert entry.user == boss and "Reset two-step sign-in" in entry.get_change_message()

    again = Client()
    log_in(again, "desk")
    assert again.get("/admin/")["Location"].startswith(reverse("staff:set_up"))


def test_only_superusers_may_reset_devices(client):
    manager = make_staff("manager", permissions=["auth.view_user", "auth.change_user"], otp=True)
    desk = make_staff("desk", otp=True)
    sign_in(client, manager)
    assert "reset_two_step" not in client.get("/admin/auth/user/").content.decode()
    client.post("/admin/auth/user/", {"action": "reset_two_step", "_selected_action": [desk.pk]})
    assert TOTPDevice.objects.filter(user=desk).exists()


def test_passwords_need_twelve_characters_and_not_a_common_one():
    with pytest.raises(ValidationError):
        validate_password("Short1!")
    with pytest.raises(ValidationError):
        validate_password("password1234")
    validate_password("knee clinic winter 42")


# --- Each office sees its own requests -----------------------------------------------------


def test_a_front_desk_member_sees_only_their_offices_requests(
    client, encino, los_angeles, encino_desk
):
    mine = make_consultation(encino, first_name="Marisol", last_name="Encinas")
    theirs = make_consultation(los_angeles, first_name="Lucia", last_name="Angeles")
    sign_in(client, encino_desk)

    listing = client.get(CHANGELIST).content.decode()
    assert mine.reference in listing and theirs.reference not in listing
    # The office filter offers only Encino; asking for Los Angeles anyway shows nothing of it.
    assert f"office__id__exact={encino.pk}" in listing
    assert f"office__id__exact={los_angeles.pk}" not in listing
    other = client.get(CHANGELIST, {"office__id__exact": los_angeles.pk}).content.decode()
    assert change_url(theirs) not in other
    assert client.get(change_url(mine)).status_code == 200
    assert client.get(change_url(theirs)).status_code == 404
    for term in ["Lucia", theirs.reference, "(213) 373-4253"]:
        found = client.get(CHANGELIST, {"q": term}).content.decode()
        assert change_url(theirs) not in found, term
    assert mine.reference in client.get(CHANGELIST, {"q": mine.reference.lower()}).content.decode()

    index = client.get("/admin/").content.decode()
    assert "Encino" in index and "Los Angeles" not in index

    export = client.post(
        CHANGELIST + "?status=all",
        {"action": "export_csv", "select_across": "1", "_selected_action": [mine.pk]},
    )
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [mine.reference]

    # Another office's request cannot be moved by an action either.
    client.post(CHANGELIST, {"action": "mark_closed", "_selected_action": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.status == "new"


def test_staff_without_an_office_see_no_requests_and_all_offices_see_every_one(
    client, encino, los_angeles
):
    make_consultation(encino)
    make_consultation(los_angeles)
    nobody = make_staff("new-desk", groups=[Group.objects.get(name=FRONT_DESK)], otp=True)
    sign_in(client, nobody)
    assert "0 consultation requests" in client.get(CHANGELIST).content.decode()
    StaffProfile.objects.create(user=nobody, all_offices=True)
    assert "2 consultation requests" in client.get(CHANGELIST).content.decode()


def test_office_emails_go_to_that_offices_staff_who_asked_for_them(encino, los_angeles):
    make_staff("enc", email="enc@example.org", offices=[encino])
    StaffProfile.objects.filter(user__username="enc").update(notify_new_requests=True)
    make_staff("all", email="all@example.org", offices="all")
    StaffProfile.objects.filter(user__username="all").update(notify_new_requests=True)
    make_staff("quiet", email="quiet@example.org", offices=[encino])
    encino_email = build_email(make_consultation(encino).notifications.create(kind="office"))
    la_email = build_email(make_consultation(los_angeles).notifications.create(kind="office"))
    assert {"enc@example.org", "all@example.org"} <= set(encino_email.to)
    assert "quiet@example.org" not in encino_email.to
    assert "enc@example.org" not in la_email.to and "all@example.org" in la_email.to


# --- The access record ---------------------------------------------------------------------


def test_views_searches_status_changes_and_exports_are_recorded(client, encino, encino_desk):
    first = make_consultation(encino)
    second = make_consultation(encino, first_name="Beatriz")
    sign_in(client, encino_desk)

    client.get(CHANGELIST)  # the plain list is not a look at one patient
    assert not AccessRecord.objects.exists()

    client.get(change_url(first), REMOTE_ADDR="198.51.100.20")
    client.get(CHANGELIST, {"q": "Beatriz"})
    client.post(CHANGELIST, {"action": "mark_contacted", "_selected_action": [first.pk]})
    client.post(CHANGELIST, {"action": "export_csv", "_selected_action": [first.pk, second.pk]})

    records = list(AccessRecord.objects.order_by("at", "pk"))
    assert [(r.action, r.username) for r in records] == [
        ("view", "encino-desk"),
        ("search", "encino-desk"),
        ("status", "encino-desk"),
        ("export", "encino-desk"),
    ]
    view, search, status, export = records
    assert view.reference == first.reference
    assert len(view.address_hash) == 32 and "198.51.100.20" not in view.address_hash
    assert search.detail == "Beatriz"
    assert status.reference == first.reference and status.detail == "new → contacted"
    assert sorted(export.references.split()) == sorted([first.reference, second.reference])
    assert set(AccessRecord.objects.mentioning(second.reference)) == {export}


def test_a_status_change_is_undone_when_its_record_cannot_be_written(client, encino, encino_desk):
    consultation = make_consultation(encino)
    sign_in(client, encino_desk)
    client.raise_request_exception = False
    with mock.patch.object(AccessRecord.objects, "create", side_effect=DatabaseError("full")):
        response = client.post(
            CHANGELIST, {"action": "mark_closed", "_selected_action": [consultation.pk]}
        )
        assert response.status_code >= 500
        page = client.get(change_url(consultation))
        assert page.status_code >= 500 and b"Ruiz" not in page.content
    consultation.refresh_from_db()
    assert consultation.status == "new"
    assert StatusChange.objects.filter(consultation=consultation).count() == 0
    assert not AccessRecord.objects.exists()


def test_nobody_can_add_change_or_delete_access_records_and_the_privacy_officer_reads_them(
    client, encino, encino_desk, officer
):
    consultation = make_consultation(encino)
    sign_in(Client(), encino_desk)
    desk = Client()
    sign_in(desk, encino_desk)
    desk.get(change_url(consultation))
    record = AccessRecord.objects.get()

    assert desk.get(ACCESS_RECORD).status_code == 403
    boss = Client()
    sign_in(boss, User.objects.create_superuser("boss", "boss@example.org", "x"))
    for who in (client, boss):
        if who is client:
            sign_in(client, officer)
        assert who.get(reverse("admin:staff_accessrecord_add")).status_code == 403
        delete = reverse("admin:staff_accessrecord_delete", args=[record.pk])
        assert who.post(delete, {"post": "yes"}).status_code == 403
        page = who.get(reverse("admin:staff_accessrecord_change", args=[record.pk]))
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert AccessRecord.objects.filter(pk=record.pk).exists()

    # The privacy officer filters by staff member, by reference and by date, and exports.
    assert (
        consultation.reference
        in client.get(ACCESS_RECORD, {"user__id__exact": encino_desk.pk}).content.decode()
    )
    assert (
        consultation.reference
        in client.get(ACCESS_RECORD, {"q": consultation.reference}).content.decode()
    )
    # As the date filter's "Today" link asks for it.
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    by_date = client.get(
        ACCESS_RECORD, {"at__gte": str(today), "at__lt": str(today + timedelta(days=1))}
    )
    assert consultation.reference in by_date.content.decode()
    export = client.post(ACCESS_RECORD, {"action": "export_csv", "_selected_action": [record.pk]})
    assert consultation.reference in export.content.decode("utf-8-sig")
    # The officer sees who looked, never the patients themselves.
    assert client.get(CHANGELIST).status_code == 403


@pytest.mark.parametrize("group", [CONTENT_EDITOR, CLINICAL_REVIEWER])
def test_content_editors_and_clinical_reviewers_cannot_reach_the_access_record_or_requests(
    client, encino, group
):
    consultation = make_consultation(encino)
    member = make_staff("member", groups=[Group.objects.get(name=group)], otp=True)
    sign_in(client, member)
    assert client.get(ACCESS_RECORD).status_code == 403
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(consultation)).status_code == 403
    index = client.get("/admin/").content.decode()
    assert "Access record" not in index and consultation.reference not in index


def test_the_retention_purge_keeps_access_records_with_the_reference_only(
    client, encino, encino_desk
):
    old = make_consultation(encino, status="closed")
    ConsultationRequest.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - timedelta(days=400)
    )
    sign_in(client, encino_desk)
    client.get(change_url(old))
    call_command("purge_consultation_requests", stdout=io.StringIO())
    assert not ConsultationRequest.objects.filter(pk=old.pk).exists()
    record = AccessRecord.objects.get()
    assert record.reference == old.reference
    assert "Ruiz" not in str(record.__dict__)


# --- Login limits per account ---------------------------------------------------------------


def test_thirty_failures_from_thirty_addresses_lock_the_account(
    client, settings, mailoutbox, encino_desk, django_capture_on_commit_callbacks
):
    settings.TRUSTED_PROXY_COUNT = 1
    User.objects.create_superuser("boss", "boss@example.org", "x")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(30):
            response = log_in(
                client, "encino-desk", "wrong guess", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
            )
            assert response.status_code == 200  # axes never saw two from one address
    lock = AccountLock.objects.in_force().get(username="encino-desk")
    assert lock.failures == settings.STAFF_ACCOUNT_FAILURE_LIMIT

    # The right password, from a new address, with the right code at hand: still locked.
    response = log_in(client, "encino-desk", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 200
    assert "This account is locked until" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["boss@example.org"]
    assert "encino-desk" in mailoutbox[0].body

    # The lock ends by itself; failures made while it held do not start the next one.
    AccountLock.objects.filter(pk=lock.pk).update(
        locked_at=timezone.now() - timedelta(hours=2),
        locked_until=timezone.now() - timedelta(seconds=1),
    )
    response = log_in(client, "encino-desk", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 302
    assert client.get("/admin/")["Location"].startswith(reverse("staff:verify"))


def test_a_right_code_does_not_get_past_a_lock_made_after_the_password(
    client, settings, encino_desk
):
    log_in(client, "encino-desk")
    device = authenticator_app(encino_desk)
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(settings.STAFF_ACCOUNT_FAILURE_LIMIT):
        log_in(Client(), "encino-desk", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = client.post(reverse("staff:verify"), {"code": totp_code(device)}, follow=True)
    assert "locked" in response.content.decode()
    assert client.get("/admin/")["Location"].startswith(LOGIN)


def test_wrong_codes_count_towards_the_account_limit(client, settings, encino_desk):
    settings.STAFF_ACCOUNT_FAILURE_LIMIT = 3
    log_in(client, "encino-desk")
    for _ in range(3):
        client.post(reverse("staff:verify"), {"code": "000000"})
    assert AccountLock.objects.in_force().filter(username="encino-desk").exists()


def test_a_superuser_lifts_a_lock(client, encino_desk):
    lock = AccountLock.objects.create(
        username="encino-desk", locked_until=timezone.now() + timedelta(hours=1), failures=20
    )
    sign_in(client, User.objects.create_superuser("boss", "boss@example.org", "x"))
    client.post(
        reverse("admin:staff_accountlock_changelist"),
        {"action": "lift", "_selected_action": [lock.pk]},
    )
    assert not AccountLock.objects.in_force().exists()
    assert log_in(Client(), "encino-desk").status_code == 302
