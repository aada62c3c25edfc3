"""A request keeps the treatment the patient chose, whatever editors do to the content."""

import csv
import importlib
import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from bookings.models import ConsultationRequest
from pages.models import Treatment
from staff.models import StaffProfile
from tests.factories import front_desk_group, sign_in
from tests.test_bookings_admin import make_request
from tests.test_i18n_bookings import spanish_form_data


@pytest.fixture
def encino(offices):
    return next(o for o in offices if o.slug == "encino")


@pytest.fixture
def prp(db):
    return Treatment.objects.create(
        title="Platelet-rich plasma (PRP)",
        title_es="Plasma rico en plaquetas (PRP)",
        slug="prp",
        summary="A short summary.",
        status=Treatment.Status.PUBLISHED,
        published_on=timezone.localdate(),
    )


@pytest.fixture
def editor_client(client, django_user_model):
    group, created = Group.objects.get_or_create(name="Content editor")
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label="pages"))
    editor = django_user_model.objects.create_user("editor", is_staff=True)
    editor.groups.add(group)
    sign_in(client, editor)
    return client


def test_a_treatment_patients_asked_about_cannot_be_deleted(encino, prp):
    consultation = make_request(encino, treatment=prp, treatment_name=prp.title)
    with pytest.raises(ProtectedError):
        prp.delete()
    consultation.refresh_from_db()
    assert consultation.treatment == prp


def test_the_editor_is_told_how_many_requests_keep_it_and_to_unpublish_instead(
    editor_client, encino, prp
):
    requests = [make_request(encino, treatment=prp, treatment_name=prp.title) for _ in range(3)]
    url = reverse("admin:pages_treatment_delete", args=[prp.pk])
    html = editor_client.get(url).content.decode()
    assert "cannot be deleted" in html
    assert "3 consultation requests" in html
    assert "Take the selected pages off the site" in html
    # The count only: no reference, no link into the requests the editor may not open.
    for consultation in requests:
        assert consultation.reference not in html
    assert "/admin/bookings/" not in html

    response = editor_client.post(url, {"post": "yes"})
    assert response.status_code == 200  # the same explanation, nothing deleted
    assert Treatment.objects.filter(pk=prp.pk).exists()

    changelist = reverse("admin:pages_treatment_changelist")
    response = editor_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [prp.pk]}
    )
    html = response.content.decode()
    assert "cannot be deleted" in html and "3 consultation requests" in html
    assert requests[0].reference not in html
    assert Treatment.objects.filter(pk=prp.pk).exists()


def test_a_treatment_nobody_asked_about_can_still_be_deleted(editor_client, prp):
    url = reverse("admin:pages_treatment_delete", args=[prp.pk])
    assert "Are you sure" in editor_client.get(url).content.decode()
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert not Treatment.objects.filter(pk=prp.pk).exists()


def test_the_request_stores_the_treatments_english_name_even_from_the_spanish_form(
    client, encino, prp
):
    response = client.post("/es/consultation/", spanish_form_data(encino, treatment=str(prp.pk)))
    assert response.status_code == 302
    consultation = ConsultationRequest.objects.get()
    assert (consultation.language, consultation.treatment_name) == (
        "es",
        "Platelet-rich plasma (PRP)",
    )


def test_staff_see_the_stored_name_in_the_list_the_request_and_the_csv(
    client, encino, prp, django_user_model
):
    consultation = make_request(encino, treatment=prp, treatment_name="Platelet-rich plasma (PRP)")
    Treatment.objects.filter(pk=prp.pk).update(title="PRP injections", title_en="PRP injections")
    desk = django_user_model.objects.create_user("desk", is_staff=True)
    desk.groups.add(front_desk_group())
    StaffProfile.objects.create(user=desk, all_offices=True)
    sign_in(client, desk)

    listing = client.get(reverse("admin:bookings_consultationrequest_changelist")).content
    page = client.get(
        reverse("admin:bookings_consultationrequest_change", args=[consultation.pk])
    ).content
    export = client.post(
        reverse("admin:bookings_consultationrequest_changelist"),
        {"action": "export_csv", "_selected_action": [consultation.pk]},
    ).content
    row = listing.decode().split('id="result_list"')[1].split("</table>")[0]
    fields = page.decode().split('id="consultationrequest_form"')[1]
    for html in (row, fields):
        assert "Platelet-rich plasma (PRP)" in html and "PRP injections" not in html
    exported = next(csv.DictReader(io.StringIO(export.decode("utf-8-sig"))))
    assert exported["Treatment"] == "Platelet-rich plasma (PRP)"


def test_requests_sent_before_the_name_was_stored_get_it_from_their_treatment(encino, prp):
    earlier = make_request(encino, treatment=prp)
    without = make_request(encino)
    assert earlier.treatment_name == ""
    migration = importlib.import_module(
        "bookings.migrations.0005_treatments_asked_about_are_kept_by_name"
    )
    migration.keep_treatment_names(apps, schema_editor=None)
    earlier.refresh_from_db()
    without.refresh_from_db()
    assert (earlier.treatment_name, without.treatment_name) == ("Platelet-rich plasma (PRP)", "")
