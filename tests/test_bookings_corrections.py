"""The same form sent again with changed details is kept as a correction, never dropped."""

import csv
import io

import pytest
from django.urls import reverse

from bookings.models import ConsultationRequest
from staff.models import StaffProfile
from tests.factories import front_desk_group, sign_in, valid_form_data

FORM_URL = "/consultation/"


@pytest.fixture
def encino(offices):
    return next(o for o in offices if o.slug == "encino")


@pytest.fixture
def los_angeles(offices):
    return next(o for o in offices if o.slug == "los-angeles")


def send(client, data, capture, url=FORM_URL):
    with capture(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1500]
    return client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "change",
    [
        {"phone": "(818) 555-0142"},
        {"email": "ana.ruiz.2@example.org"},
        {"office": "los-angeles"},
    ],
    ids=["phone", "email", "office"],
)
def test_a_corrected_resubmission_is_stored_linked_to_the_first_and_explained(
    client, encino, los_angeles, mailoutbox, django_capture_on_commit_callbacks, change
):
    data = valid_form_data(encino)
    send(client, data, django_capture_on_commit_callbacks)
    first = ConsultationRequest.objects.get()
    mailoutbox.clear()

    if change.get("office") == "los-angeles":
        change = {"office": str(los_angeles.pk)}
    thanks = send(client, {**data, **change}, django_capture_on_commit_callbacks)

    correction = ConsultationRequest.objects.exclude(pk=first.pk).get()
    assert correction.corrects == first
    assert correction.reference in thanks and correction.reference != first.reference
    text = " ".join(thanks.split())
    assert (
        "You sent the form again with changes, so we kept them as an update to your earlier "
        f"request {first.reference}. Our staff will use the new details."
    ) in text
    # Staff hear of it; the patient's (possibly corrected) address is told what happened.
    office_mail = next(m for m in mailoutbox if m.to[0] == correction.office.consultation_email)
    assert f"It corrects request {first.reference}" in office_mail.body
    patient_mail = next(m for m in mailoutbox if m.to == [correction.email])
    assert f"This updates your earlier request {first.reference}" in " ".join(
        patient_mail.body.split()
    )


def test_the_same_correction_sent_twice_is_stored_once(
    client, encino, django_capture_on_commit_callbacks
):
    data = valid_form_data(encino)
    send(client, data, django_capture_on_commit_callbacks)
    corrected = {**data, "phone": "(818) 555-0142"}
    send(client, corrected, django_capture_on_commit_callbacks)
    again = send(client, corrected, django_capture_on_commit_callbacks)
    assert ConsultationRequest.objects.count() == 2
    correction = ConsultationRequest.objects.get(corrects__isnull=False)
    assert correction.reference in again
    # The unchanged form sent once more is thanked with the latest version, not stored again.
    third = {**corrected, "phone": "(818) 555-0177"}
    send(client, third, django_capture_on_commit_callbacks)
    assert ConsultationRequest.objects.filter(corrects__isnull=False).count() == 2


def test_a_correction_with_an_error_is_sent_back_and_the_first_request_stays(client, encino):
    data = valid_form_data(encino)
    client.post(FORM_URL, data)
    response = client.post(FORM_URL, {**data, "email": "ana@"})
    assert response.status_code == 400
    assert ConsultationRequest.objects.count() == 1


def test_a_spanish_correction_is_explained_in_spanish(
    client, encino, django_capture_on_commit_callbacks
):
    from tests.test_i18n_bookings import spanish_form_data

    data = spanish_form_data(encino)
    send(client, data, django_capture_on_commit_callbacks, url="/es/consultation/")
    first = ConsultationRequest.objects.get()
    thanks = send(
        client,
        {**data, "phone": "(818) 555-0142"},
        django_capture_on_commit_callbacks,
        url="/es/consultation/",
    )
    assert f"una actualización de su solicitud anterior {first.reference}" in " ".join(
        thanks.split()
    )


def test_staff_see_which_request_corrects_which(
    client, encino, django_user_model, django_capture_on_commit_callbacks
):
    data = valid_form_data(encino)
    send(client, data, django_capture_on_commit_callbacks)
    send(client, {**data, "phone": "(818) 555-0142"}, django_capture_on_commit_callbacks)
    first = ConsultationRequest.objects.get(corrects__isnull=True)
    correction = ConsultationRequest.objects.get(corrects=first)

    desk = django_user_model.objects.create_user("desk", is_staff=True)
    desk.groups.add(front_desk_group())
    StaffProfile.objects.create(user=desk, all_offices=True)
    sign_in(client, desk)
    changelist = reverse("admin:bookings_consultationrequest_changelist")
    html = client.get(changelist).content.decode()
    first_row = html[html.index(f">{first.reference}<") :].split("</tr>")[0]
    correction_row = html[html.index(f">{correction.reference}<") :].split("</tr>")[0]
    assert f"corrected by {correction.reference}" in first_row
    assert f"corrects {first.reference}" in correction_row

    page = client.get(first.get_admin_url()).content.decode()
    assert f'<a href="{correction.get_admin_url()}">{correction.reference}</a>' in page
    page = client.get(correction.get_admin_url()).content.decode()
    assert f'href="{first.get_admin_url()}"' in page

    export = client.post(
        changelist, {"action": "export_csv", "_selected_action": [correction.pk]}
    ).content.decode("utf-8-sig")
    assert next(csv.DictReader(io.StringIO(export)))["Corrects"] == first.reference
