"""Front-desk workflow in admin: permissions, list, change page, actions, CSV, index, purge."""

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize

from bookings import consent
from bookings.models import (
    ConsultationRequest,
    Notification,
    PurgeRun,
    StaffNote,
    StatusChange,
)
from bookings.services import change_status, generate_reference
from staff.models import StaffProfile
from tests.factories import front_desk_group, sign_in

CHANGELIST = "admin:bookings_consultationrequest_changelist"


def make_request(office, *, age=timedelta(minutes=5), **fields) -> ConsultationRequest:
    now = timezone.now()
    values = {
        "first_name": "Ana",
        "last_name": "Ruiz",
        "email": "ana.ruiz@example.org",
        "phone": "+12133734253",
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
    if values.get("status") == "spam" and not values.get("spam_reason"):
        values["spam_reason"] = "honeypot"
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
def los_angeles(offices):
    return next(o for o in offices if o.slug == "los-angeles")


@pytest.fixture
def front_desk(django_user_model):
    user = django_user_model.objects.create_user(
        "desk", "desk@example.org", first_name="Dana", last_name="Whitfield", is_staff=True
    )
    user.groups.add(front_desk_group())
    StaffProfile.objects.create(user=user, all_offices=True)
    return user


@pytest.fixture
def editor(django_user_model):
    """A content editor: every permission of the pages app, nothing else."""
    group, created = Group.objects.get_or_create(name="Content editor")
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label="pages"))
    user = django_user_model.objects.create_user("editor", "ed@example.org", is_staff=True)
    user.groups.add(group)
    return user


@pytest.fixture
def desk_client(client, front_desk):
    sign_in(client, front_desk)
    return client


def changelist(client, **params):
    return client.get(reverse(CHANGELIST), params)


def change_url(consultation):
    return reverse("admin:bookings_consultationrequest_change", args=[consultation.pk])


def run_action(client, action, consultations, follow=True, query=""):
    return client.post(
        reverse(CHANGELIST) + query,
        {"action": action, "_selected_action": [c.pk for c in consultations]},
        follow=follow,
    )


class FormValues(HTMLParser):
    """The values a browser would send for the admin change form."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea, self._in_form = {}, None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or a.get("disabled") is not None:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if a.get("type") in ("checkbox", "radio") else ""
            self.data[name] = a.get("value", default)
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_values(response) -> dict:
    parser = FormValues()
    parser.feed(response.content.decode())
    return parser.data


# --- Groups and permissions ---------------------------------------------------------------


def test_front_desk_group_can_work_requests_but_not_delete_or_edit_content(db):
    # This app's share of the group; online booking adds its own (tests/test_scheduling_admin.py).
    codenames = set(
        Group.objects.get(name="Front desk")
        .permissions.filter(content_type__app_label="bookings")
        .values_list("content_type__app_label", "codename")
    )
    assert codenames == {
        ("bookings", "view_consultationrequest"),
        ("bookings", "change_consultationrequest"),
        ("bookings", "view_staffnote"),
        ("bookings", "add_staffnote"),
        ("bookings", "view_statuschange"),
        ("bookings", "view_notification"),
        ("bookings", "view_purgerun"),
    }


def test_front_desk_sees_requests_but_cannot_add_or_delete_them(desk_client, encino):
    consultation = make_request(encino, first_name="Marisol")
    response = changelist(desk_client)
    assert response.status_code == 200
    assert "Marisol" in response.content.decode()
    assert desk_client.get(change_url(consultation)).status_code == 200
    add_url = reverse("admin:bookings_consultationrequest_add")
    delete_url = reverse("admin:bookings_consultationrequest_delete", args=[consultation.pk])
    assert desk_client.get(add_url).status_code == 403
    assert desk_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert "delete_selected" not in response.content.decode()
    run_action(desk_client, "delete_selected", [consultation])
    assert ConsultationRequest.objects.filter(pk=consultation.pk).exists()


def test_front_desk_cannot_edit_treatment_content(desk_client):
    assert desk_client.get(reverse("admin:pages_treatment_changelist")).status_code == 403


def test_content_editor_cannot_see_requests(client, editor, encino):
    consultation = make_request(encino, first_name="Marisol")
    sign_in(client, editor)
    assert changelist(client).status_code == 403
    assert client.get(change_url(consultation)).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "Consultation requests waiting" not in index
    assert "Marisol" not in index and consultation.reference not in index


def test_admin_is_titled_with_the_clinics_name_not_djangos(desk_client, settings):
    index = desk_client.get(reverse("admin:index")).content.decode()
    login = Client().get(reverse("admin:login")).content.decode()
    for html in (login, index):
        assert settings.SITE_NAME in html
        assert "Django administration" not in html and "Django site admin" not in html
    assert f"<title>Staff area | {settings.SITE_NAME} staff area</title>" in index


# --- The list -----------------------------------------------------------------------------


def test_list_shows_newest_first_with_age_and_stale_requests_stand_out(desk_client, encino):
    old = make_request(encino, age=timedelta(days=5), first_name="Olivia")
    fresh = make_request(encino, age=timedelta(hours=2), first_name="Fiona")
    html = changelist(desk_client).content.decode()
    assert html.index(fresh.reference) < html.index(old.reference)
    assert "2 h" in html and "5 days" in html
    row_of_old = html[html.index(old.reference) :][:2500]
    row_of_fresh = html[html.index(fresh.reference) :][:2500]
    assert "waiting over a business day" in row_of_old.split("</tr>")[0]
    assert "waiting over a business day" not in row_of_fresh.split("</tr>")[0]
    assert "bookings/admin.css" in html


def test_old_requests_that_were_picked_up_are_not_stale(desk_client, encino):
    make_request(encino, age=timedelta(days=5), status="contacted")
    assert "waiting over a business day" not in changelist(desk_client).content.decode()


def test_stale_filter_lists_only_requests_waiting_too_long(desk_client, encino):
    old = make_request(encino, age=timedelta(days=5))
    fresh = make_request(encino, age=timedelta(minutes=10))
    html = changelist(desk_client, waiting="stale").content.decode()
    assert old.reference in html and fresh.reference not in html


def test_spam_is_kept_out_of_the_list_and_has_its_own_filter(desk_client, encino):
    real = make_request(encino)
    spam = make_request(encino, status="spam", spam_reason="too_fast")
    default = changelist(desk_client).content.decode()
    assert real.reference in default and spam.reference not in default
    spam_only = changelist(desk_client, status="spam").content.decode()
    assert spam.reference in spam_only and real.reference not in spam_only
    everything = changelist(desk_client, status="all").content.decode()
    assert spam.reference in everything and real.reference in everything


def test_filters_by_office_status_and_date_work(desk_client, encino, los_angeles):
    in_encino = make_request(encino)
    in_la = make_request(los_angeles, status="contacted")
    html = changelist(desk_client, office__id__exact=encino.pk).content.decode()
    assert in_encino.reference in html and in_la.reference not in html
    html = changelist(desk_client, status="contacted").content.decode()
    assert in_la.reference in html and in_encino.reference not in html
    # The "Past 7 days" link of the date filter.
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    week = {
        "created_at__gte": str(today - timedelta(days=7)),
        "created_at__lt": str(today + timedelta(days=1)),
    }
    assert in_encino.reference in changelist(desk_client, **week).content.decode()
    old = make_request(encino, age=timedelta(days=30))
    assert old.reference not in changelist(desk_client, **week).content.decode()


@pytest.mark.parametrize(
    "term",
    [
        "REFERENCE",
        "reference-lowercase",
        "Núñez",
        "José Núñez",
        "jose@example",
        "(213) 373-4253",
        "213.373.4253",
    ],
)
def test_search_by_reference_name_email_or_phone_in_any_format(desk_client, encino, term):
    target = make_request(encino, first_name="José", last_name="Núñez", email="jose@example.org")
    other = make_request(
        encino, first_name="Li", last_name="Lei", phone="+13105550199", email="li@example.org"
    )
    term = {"REFERENCE": target.reference, "reference-lowercase": target.reference.lower()}.get(
        term, term
    )
    html = changelist(desk_client, q=term).content.decode()
    assert target.reference in html
    assert other.reference not in html


def test_search_by_reference_finds_spam_too(desk_client, encino):
    spam = make_request(encino, status="spam")
    assert spam.reference in changelist(desk_client, q=spam.reference).content.decode()


# --- The change page ----------------------------------------------------------------------


def test_change_page_shows_the_submission_read_only_and_html_escaped(desk_client, encino):
    consultation = make_request(
        encino, message='<script>alert("x")</script><b>bold?</b>', first_name="<i>Ana</i>"
    )
    html = desk_client.get(change_url(consultation)).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold?&lt;/b&gt;" in html
    assert "<script>alert(" not in html
    assert "&lt;i&gt;Ana&lt;/i&gt;" in html
    assert 'name="first_name"' not in html
    assert 'name="message"' not in html
    assert 'name="status"' in html and 'name="assigned_to"' in html
    assert "(213) 373-4253" in html  # the phone, readable


def test_staff_change_status_assignment_and_add_a_note_but_not_the_submission(
    desk_client, front_desk, encino
):
    consultation = make_request(encino)
    url = change_url(consultation)
    data = form_values(desk_client.get(url))
    data.update(
        {
            "status": "contacted",
            "assigned_to": str(front_desk.pk),
            "first_name": "Changed",
            "message": "Rewritten",
            "notes-0-body": "Left a voicemail <b>twice</b>.",
        }
    )
    response = desk_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    consultation.refresh_from_db()
    assert consultation.status == "contacted"
    assert consultation.assigned_to == front_desk
    assert consultation.first_name == "Ana"
    assert consultation.message.startswith("Could someone call me")
    change = StatusChange.objects.filter(consultation=consultation).last()
    assert (change.from_status, change.to_status, change.changed_by) == (
        "new",
        "contacted",
        front_desk,
    )
    note = StaffNote.objects.get(consultation=consultation)
    assert (note.author, note.body) == (front_desk, "Left a voicemail <b>twice</b>.")

    html = desk_client.get(url).content.decode()
    assert "Left a voicemail &lt;b&gt;twice&lt;/b&gt;." in html
    assert "status history" in html.lower()


def assignee_choices(response) -> list[str]:
    """The labels of the "Assigned to" drop-down, as staff read them."""
    html = response.content.decode()
    select = html[html.index('name="assigned_to"') :]
    select = select[: select.index("</select>")]
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


def test_assigned_to_lists_active_front_desk_staff_by_full_name(
    desk_client, front_desk, editor, encino, django_user_model
):
    colleague = django_user_model.objects.create_user(
        "rk", first_name="Rosa", last_name="Kim", is_staff=True
    )
    colleague.groups.add(front_desk_group())
    gone = django_user_model.objects.create_user(
        "left", first_name="Former", last_name="Colleague", is_staff=True, is_active=False
    )
    gone.groups.add(front_desk_group())
    django_user_model.objects.create_superuser("root", first_name="Site", last_name="Owner")
    desk_owner = django_user_model.objects.create_superuser(
        "owner", first_name="Ava", last_name="Lund"
    )
    desk_owner.groups.add(front_desk_group())
    consultation = make_request(encino)

    choices = assignee_choices(desk_client.get(change_url(consultation)))
    assert choices == ["---------", "Ava Lund", "Dana Whitfield", "Rosa Kim"]


def test_a_request_assigned_to_someone_who_left_front_desk_keeps_them_when_saved_unchanged(
    desk_client, encino, django_user_model
):
    moved_on = django_user_model.objects.create_user(
        "moved", first_name="Lee", last_name="Park", is_staff=True
    )
    consultation = make_request(encino, assigned_to=moved_on)
    url = change_url(consultation)
    response = desk_client.get(url)
    assert "Lee Park" in assignee_choices(response)
    assert desk_client.post(url, form_values(response)).status_code == 302
    consultation.refresh_from_db()
    assert consultation.assigned_to == moved_on


def test_the_list_and_the_csv_name_the_assignee_in_full(desk_client, front_desk, encino):
    consultation = make_request(encino, assigned_to=front_desk)
    row = changelist(desk_client).content.decode()
    assert "Dana Whitfield" in row[row.index(consultation.reference) :]
    response = run_action(desk_client, "export_csv", [consultation], follow=False)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["Assigned to"] == "Dana Whitfield"


def test_a_notes_author_is_a_name_without_a_link_front_desk_could_not_open(
    desk_client, front_desk, encino
):
    consultation = make_request(encino)
    StaffNote.objects.create(consultation=consultation, author=front_desk, body="No answer.")
    change_status(consultation, "contacted", by=front_desk)
    html = desk_client.get(change_url(consultation)).content.decode()
    assert html.count("Dana Whitfield") >= 2  # the note and the status history
    user_admin = reverse("admin:auth_user_change", args=[front_desk.pk])
    assert user_admin not in html
    assert desk_client.get(user_admin).status_code == 403


def note_rows(html: str) -> dict[str, str]:
    """The staff-note inline's rows by id: notes-0, notes-1, ... and notes-empty."""
    rows = re.findall(r'<tr class="form-row[^"]*"\s+id="(notes-[^"]+)">(.*?)</tr>', html, re.S)
    return dict(rows)


def test_a_blank_note_row_shows_no_time_or_author_until_the_note_is_saved(
    desk_client, front_desk, encino
):
    consultation = make_request(encino)
    note = StaffNote.objects.create(consultation=consultation, author=front_desk, body="No answer.")
    rows = note_rows(desk_client.get(change_url(consultation)).content.decode())
    saved, blank, template = rows["notes-0"], rows["notes-1"], rows["notes-empty"]
    assert "Dana Whitfield" in saved
    # Written like the page's other times (local time, e.g. "Nov. 30, 2026, 9:56 p.m.").
    assert localize(timezone.localtime(note.created_at)) in saved
    for unsaved in (blank, template):
        assert "Dana Whitfield" not in unsaved
        assert not re.search(r"\d{1,2}:\d\d|a\.m\.|p\.m\.|noon|midnight", unsaved), unsaved


def test_saving_a_closed_request_unchanged_does_not_restart_its_retention_clock(
    desk_client, encino
):
    closed = make_request(encino, status="closed")
    long_ago = timezone.now() - timedelta(days=300)
    ConsultationRequest.objects.filter(pk=closed.pk).update(updated_at=long_ago)
    url = change_url(closed)
    assert desk_client.post(url, form_values(desk_client.get(url))).status_code == 302
    closed.refresh_from_db()
    assert closed.updated_at == long_ago


def test_assigning_on_the_change_page_and_by_the_action_agree(
    desk_client, front_desk, encino, django_user_model
):
    colleague = django_user_model.objects.create_user(
        "rk", first_name="Rosa", last_name="Kim", is_staff=True
    )
    colleague.groups.add(front_desk_group())
    consultation = make_request(encino, assigned_to=colleague)
    url = change_url(consultation)
    data = {**form_values(desk_client.get(url)), "assigned_to": ""}
    assert desk_client.post(url, data).status_code == 302
    consultation.refresh_from_db()
    assert consultation.assigned_to is None
    run_action(desk_client, "assign_to_me", [consultation])
    consultation.refresh_from_db()
    assert consultation.assigned_to == front_desk


def test_the_emails_section_says_in_words_what_happened_to_each_email(desk_client, encino):
    consultation = make_request(encino)
    now = timezone.now()
    Notification.objects.create(
        consultation=consultation, kind="office", status="sent", attempts=1, sent_at=now
    )
    Notification.objects.create(
        consultation=consultation,
        kind="patient",
        status="failed",
        attempts=2,
        last_attempt_at=now,
        last_error="SMTPServerDisconnected: gone",
    )
    html = desk_client.get(change_url(consultation)).content.decode()
    emails = html[html.index('id="notifications-group"') :]
    assert f"Sent {localize(timezone.localtime(now))}" in emails
    assert "Failed (2 tries, the last" in emails and "SMTPServerDisconnected: gone" in emails


def test_the_submission_cannot_be_changed_through_the_model_either(encino):
    consultation = make_request(encino)
    consultation.first_name = "Someone else"
    consultation.status = "closed"
    consultation.save()
    consultation.refresh_from_db()
    assert (consultation.first_name, consultation.status) == ("Ana", "closed")
    with pytest.raises(ValueError):
        consultation.save(update_fields=["message"])


# --- Actions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("mark_contacted", "contacted"),
        ("mark_scheduled", "scheduled"),
        ("mark_closed", "closed"),
        ("mark_spam", "spam"),
    ],
)
def test_status_actions_move_requests_and_record_history(
    desk_client, front_desk, encino, action, status
):
    first, second = make_request(encino), make_request(encino)
    response = run_action(desk_client, action, [first, second])
    assert f"2 requests marked {status}." in response.content.decode()
    for consultation in (first, second):
        consultation.refresh_from_db()
        assert consultation.status == status
        assert consultation.status_changes.get(changed_by=front_desk).to_status == status
    if status == "spam":
        assert first.spam_reason == "staff"


def test_not_spam_sends_the_missed_emails(
    desk_client, encino, mailoutbox, django_capture_on_commit_callbacks
):
    spam = make_request(encino, status="spam", spam_reason="too_fast")
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(desk_client, "mark_not_spam", [spam], query="?status=spam")
    assert "1 request moved to New" in response.content.decode()
    spam.refresh_from_db()
    assert spam.status == "new"
    assert sorted(m.to[0] for m in mailoutbox) == sorted([encino.consultation_email, spam.email])


def test_assign_to_me(desk_client, front_desk, encino):
    consultation = make_request(encino)
    response = run_action(desk_client, "assign_to_me", [consultation])
    assert "1 request assigned to you." in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.assigned_to == front_desk


def test_csv_export_has_the_selected_rows_and_neutralises_formulas(desk_client, encino):
    risky = make_request(
        encino,
        first_name='=HYPERLINK("http://evil.example")',
        last_name="+SUM(A1)",
        message="@cmd|' /C calc'!A0",
    )
    unicode_name = make_request(encino, first_name="李", last_name="雷")
    not_selected = make_request(encino, first_name="Nobody")
    response = run_action(desk_client, "export_csv", [risky, unicode_name], follow=False)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["Reference"] for row in rows} == {risky.reference, unicode_name.reference}
    exported = next(row for row in rows if row["Reference"] == risky.reference)
    assert exported["First name"] == '\'=HYPERLINK("http://evil.example")'
    assert exported["Last name"] == "'+SUM(A1)"
    assert exported["Message"] == "'@cmd|' /C calc'!A0"
    # US numbers as people write them, so nothing starts with "+" and needs guarding.
    assert exported["Phone"] == "(213) 373-4253"
    assert any(row["First name"] == "李" for row in rows)
    assert not_selected.reference not in text


def test_csv_export_writes_foreign_phones_internationally_and_still_guarded(desk_client, encino):
    london = make_request(encino, phone="+442079460958", phone_extension="12")
    response = run_action(desk_client, "export_csv", [london], follow=False)
    exported = next(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert exported["Phone"] == "'+44 20 7946 0958"
    assert exported["Extension"] == "12"


def test_content_editor_cannot_run_request_actions(client, editor, encino):
    consultation = make_request(encino)
    sign_in(client, editor)
    response = run_action(client, "export_csv", [consultation], follow=False)
    assert response.status_code == 403


# --- Admin index --------------------------------------------------------------------------


def test_admin_index_shows_new_requests_per_office_and_the_oldest_waiting(
    desk_client, encino, los_angeles
):
    oldest = make_request(los_angeles, age=timedelta(days=4))
    make_request(encino, age=timedelta(hours=1))
    make_request(encino, age=timedelta(hours=3))
    make_request(encino, status="contacted", age=timedelta(days=9))
    make_request(encino, status="spam", age=timedelta(days=9))
    html = desk_client.get(reverse("admin:index")).content.decode()
    summary = html[html.index('id="consultation-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert "Consultation requests waiting" in summary
    encino_row = summary[summary.index(">Encino<") :].split("</tr>")[0]
    la_row = summary[summary.index(">Los Angeles<") :].split("</tr>")[0]
    assert [cell for cell in encino_row.split("<td>")[1:]][0].startswith("2")
    assert la_row.split("<td>")[1].startswith("1")
    assert "bookings-stale-count" in la_row and "bookings-stale-count" not in encino_row
    assert f'Oldest waiting: <a href="{change_url(oldest)}">{oldest.reference}</a>' in summary
    assert "4 days ago" in summary


def test_requests_sent_over_the_rate_limit_are_in_the_working_list_marked_and_counted(
    desk_client, encino
):
    ordinary = make_request(encino)
    held = make_request(encino, over_rate_limit=True)
    make_request(encino, over_rate_limit=True, status="contacted")

    html = changelist(desk_client).content.decode()
    assert ordinary.reference in html and held.reference in html
    held_row = html[html.index(held.reference) :].split("</tr>")[0]
    ordinary_row = html[html.index(ordinary.reference) :].split("</tr>")[0]
    assert "over the rate limit" in held_row and "over the rate limit" not in ordinary_row

    flagged = changelist(desk_client, over_rate_limit__exact="1").content.decode()
    assert held.reference in flagged and ordinary.reference not in flagged
    assert "sent over the rate limit" in desk_client.get(change_url(held)).content.decode().lower()

    index = desk_client.get(reverse("admin:index")).content.decode()
    summary = index[index.index('id="consultation-summary"') :]
    assert "1 new request was sent over the rate limit" in summary


def test_admin_index_says_when_nothing_is_waiting(desk_client, offices):
    html = desk_client.get(reverse("admin:index")).content.decode()
    assert "No new requests are waiting." in html


# --- Retention ----------------------------------------------------------------------------


def test_purge_dry_run_counts_and_records_but_deletes_nothing(encino, settings):
    settings.BOOKINGS_RETENTION_DAYS = 30
    old_closed = make_request(encino, status="closed")
    ConsultationRequest.objects.filter(pk=old_closed.pk).update(
        updated_at=timezone.now() - timedelta(days=31)
    )
    out = io.StringIO()
    call_command("purge_consultation_requests", "--dry-run", stdout=out)
    assert "Would remove 1 request(s)" in out.getvalue()
    assert ConsultationRequest.objects.filter(pk=old_closed.pk).exists()
    run = PurgeRun.objects.get()
    assert (run.dry_run, run.removed_count, run.removed_by_status) == (True, 1, {"closed": 1})


def test_purge_removes_only_old_closed_and_spam_and_keeps_a_record_without_patient_data(
    encino, settings, admin_user
):
    settings.BOOKINGS_RETENTION_DAYS = 30
    long_ago = timezone.now() - timedelta(days=40)
    old_closed = make_request(encino, status="closed", first_name="Gone")
    StaffNote.objects.create(consultation=old_closed, author=admin_user, body="note")
    old_spam = make_request(encino, status="spam", first_name="Gone")
    old_new = make_request(encino, status="new", first_name="Kept")
    old_scheduled = make_request(encino, status="scheduled", first_name="Kept")
    recent_closed = make_request(encino, status="closed", first_name="Kept")
    ConsultationRequest.objects.exclude(pk=recent_closed.pk).update(updated_at=long_ago)

    out = io.StringIO()
    call_command("purge_consultation_requests", stdout=out)
    assert "Removed 2 request(s)" in out.getvalue()
    remaining = set(ConsultationRequest.objects.values_list("pk", flat=True))
    assert remaining == {old_new.pk, old_scheduled.pk, recent_closed.pk}
    assert not StaffNote.objects.filter(consultation_id=old_closed.pk).exists()
    assert old_spam.pk not in remaining

    run = PurgeRun.objects.get()
    assert (run.dry_run, run.removed_count) == (False, 2)
    assert run.removed_by_status == {"closed": 1, "spam": 1}
    assert run.retention_days == 30
    recorded = " ".join(str(getattr(run, f.attname)) for f in PurgeRun._meta.fields)
    assert "Gone" not in recorded and "@" not in recorded


def test_purge_runs_are_visible_to_front_desk_in_admin(desk_client, encino):
    call_command("purge_consultation_requests", "--days", "10", stdout=io.StringIO())
    response = desk_client.get(reverse("admin:bookings_purgerun_changelist"))
    assert response.status_code == 200
    assert "retention purge run" in response.content.decode().lower()
