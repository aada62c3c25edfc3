"""receive_consultation_request decides what becomes of a posted form, without HTTP."""

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import QueryDict

from bookings.models import ConsultationRequest
from bookings.services import receive_consultation_request
from tests.factories import form_token, valid_form_data


@pytest.fixture
def encino(offices):
    return next(o for o in offices if o.slug == "encino")


@pytest.fixture(autouse=True)
def memory_cache(settings):
    # The rate limit's counters start empty for each test.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


def posted(data: dict) -> QueryDict:
    """The form as a browser posts it (lists for the checkboxes)."""
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def receive(data, client_ip="203.0.113.5", language="en"):
    return receive_consultation_request(data=posted(data), client_ip=client_ip, language=language)


def test_a_valid_request_is_stored_and_thanked_by_reference(encino):
    received = receive(valid_form_data(encino), language="es")
    consultation = ConsultationRequest.objects.get()
    assert (received.show, received.status, received.reference) == (
        "thanks",
        200,
        consultation.reference,
    )
    assert (consultation.status, consultation.language) == ("new", "es")


def test_the_same_form_sent_again_is_thanked_with_the_first_reference(encino):
    data = valid_form_data(encino)
    first = receive(data)
    again = receive(data)
    assert again.show == "thanks" and again.reference == first.reference
    assert ConsultationRequest.objects.count() == 1


def test_errors_send_the_form_back_with_a_400_and_store_nothing(encino):
    received = receive(valid_form_data(encino, email="ana@"))
    assert (received.show, received.status) == ("form", 400)
    assert "email" in received.form.errors
    assert ConsultationRequest.objects.count() == 0


def test_medical_detail_sends_the_form_back_once_with_what_was_found(encino):
    data = valid_form_data(encino, message="My date of birth is 04/12/1961.")
    notice = receive(data)
    assert (notice.show, notice.status) == ("form", 200)
    assert notice.medical_findings and ConsultationRequest.objects.count() == 0
    sent = receive({**data, "medical_checked": "1"})
    assert sent.show == "thanks"
    assert ConsultationRequest.objects.get().medical_warning_shown is True


def test_a_bot_is_stored_as_spam_and_thanked_like_anyone(encino):
    received = receive(valid_form_data(encino, website="http://spam.example"))
    assert received.show == "thanks"
    assert ConsultationRequest.objects.get().spam_reason == "honeypot"


def test_over_the_rate_limit_requests_are_kept_then_refused_and_the_patient_asked_to_call(
    encino, settings
):
    settings.BOOKINGS_RATE_LIMIT = 1
    settings.BOOKINGS_RATE_LIMIT_KEEP = 1
    shown = [receive(valid_form_data(encino, token=form_token())) for _ in range(3)]
    assert [(r.show, r.status, r.kept) for r in shown] == [
        ("thanks", 200, False),
        ("rate_limited", 429, True),
        ("rate_limited", 429, False),
    ]
    assert ConsultationRequest.objects.filter(over_rate_limit=True).count() == 1
    assert ConsultationRequest.objects.count() == 2


# --- The database holds the choices ---------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("request", "status"),
        ("request", "spam_reason"),
        ("request", "patient_status"),
        ("request", "contact_method"),
        ("request", "preferred_time"),
        ("request", "payment"),
        ("status_change", "from_status"),
        ("status_change", "to_status"),
        ("notification", "kind"),
        ("notification", "status"),
    ],
)
def test_the_database_refuses_a_value_that_is_not_one_of_the_choices(encino, model, field):
    receive(valid_form_data(encino))
    consultation = ConsultationRequest.objects.get()
    rows = {
        "request": ConsultationRequest.objects.filter(pk=consultation.pk),
        "status_change": consultation.status_changes.all(),
        "notification": consultation.notifications.all(),
    }[model]
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(**{field: "bogus"})
