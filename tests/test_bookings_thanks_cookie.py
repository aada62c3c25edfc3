from django.conf import settings
from django.urls import reverse

from bookings.models import ConsultationRequest
from tests.factories import valid_form_data


def submit(client, office):
    return client.post(reverse("bookings:request"), valid_form_data(office))


def test_a_patient_gets_no_session_and_the_thanks_page_still_shows_the_reference(client, offices):
    response = submit(client, offices[1])
    assert response.status_code == 302
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # no session row for patients
    reference = ConsultationRequest.objects.get().reference
    thanks = client.get(response["Location"])
    assert reference in thanks.content.decode()
    # Reloading shows the same reference and sends nothing again.
    assert reference in client.get(response["Location"]).content.decode()
    assert ConsultationRequest.objects.count() == 1


def test_a_forged_reference_cookie_shows_no_request(client, offices):
    submit(client, offices[1])
    reference = ConsultationRequest.objects.get().reference
    client.cookies["consultation_ref"] = reference  # unsigned: somebody guessing
    html = client.get(reverse("bookings:thanks")).content.decode()
    assert reference not in html
