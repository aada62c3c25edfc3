"""The consultation form: fields, validation, preselection, PRG, consent, spam and rate limits."""

import importlib
import re
import uuid
from unittest import mock

import pytest
from django.apps import apps
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from bookings import consent
from bookings.forms import MESSAGE_HINT
from bookings.medical import medical_detail_found
from bookings.models import ConsultationRequest, StatusChange
from bookings.services import REFERENCE_ALPHABET, generate_reference
from bookings.spam import WORKER_FALLBACK_CACHE, RateLimiter, issue_form_token
from pages.models import Treatment
from tests.factories import form_token, sign_in, valid_form_data
from tests.test_bookings_admin import make_request

FORM_URL = "/consultation/"
THANKS_URL = "/consultation/thanks/"
REFERENCE_RE = re.compile(rf"^(ENC|LAX)-[{REFERENCE_ALPHABET}]{{6}}$")


@pytest.fixture
def encino(offices):
    return next(o for o in offices if o.slug == "encino")


@pytest.fixture
def los_angeles(offices):
    return next(o for o in offices if o.slug == "los-angeles")


@pytest.fixture
def treatments(db):
    today = timezone.localdate()
    published = Treatment.objects.create(
        title="Platelet-rich plasma (PRP)",
        slug="prp",
        summary="A short summary.",
        status=Treatment.Status.PUBLISHED,
        published_on=today,
    )
    draft = Treatment.objects.create(
        title="Draft therapy", slug="draft-therapy", summary="Not ready.", published_on=today
    )
    return {"published": published, "draft": draft}


def post(client, data, **extra):
    return client.post(FORM_URL, data, **extra)


def errors_of(response) -> dict:
    return response.context["form"].errors.get_json_data()


def error_codes(response, field) -> list[str]:
    return [error["code"] for error in errors_of(response).get(field, [])]


# --- The page ---------------------------------------------------------------------------


def test_header_and_home_link_to_the_form(client, offices):
    html = client.get("/").content.decode()
    assert html.count(f'href="{FORM_URL}"') >= 2
    assert reverse("bookings:request") == FORM_URL


def test_form_marks_required_fields_in_words_and_has_autocomplete(client, offices):
    html = client.get(FORM_URL).content.decode()
    for label in ("First name", "Last name", "Email address", "Phone number", "Your message"):
        assert re.search(rf"{label}\s*<span class=\"required-marker\">\(required\)</span>", html)
    assert "*</span>" not in html
    for name, token in [
        ("first_name", "given-name"),
        ("last_name", "family-name"),
        ("email", "email"),
        ("phone", "tel"),
    ]:
        assert re.search(rf'name="{name}"[^>]*autocomplete="{token}"', html), name
    assert 'type="tel"' in html


def test_message_hint_is_next_to_the_field_and_read_by_screen_readers(client, offices):
    html = client.get(FORM_URL).content.decode()
    assert MESSAGE_HINT.startswith(
        "Please include non-medical questions only; do not send medical records or details of "
        "your condition."
    )
    assert re.search(r'<textarea[^>]*aria-describedby="id_message_helptext"', html)
    assert f'<div id="id_message_helptext" class="form-text">{MESSAGE_HINT}</div>' in html


def test_consent_boxes_show_the_current_wording_and_texts_is_unticked(client, offices):
    html = client.get(FORM_URL).content.decode()
    assert consent.CURRENT.contact in html
    assert consent.CURRENT.texts in html
    texts_box = re.search(r'<input[^>]*name="consent_to_texts"[^>]*>', html).group(0)
    assert "checked" not in texts_box


def test_honeypot_is_hidden_from_people_and_the_tab_order(client, offices):
    html = client.get(FORM_URL).content.decode()
    assert re.search(r'class="d-none"\s+aria-hidden="true">\s*<div id="div_id_website"', html), (
        "honeypot wrapper must be hidden"
    )
    assert re.search(r'name="website"[^>]*tabindex="-1"', html)


def test_form_page_is_never_cached(client, offices):
    response = client.get(FORM_URL)
    assert "no-store" in response["Cache-Control"]


# --- Preselection -----------------------------------------------------------------------


def test_office_and_treatment_are_preselected_from_the_address(client, encino, treatments):
    html = client.get(FORM_URL, {"office": "encino", "treatment": "prp"}).content.decode()
    assert re.search(rf'name="office" value="{encino.pk}"[^>]*checked', html)
    assert re.search(rf'<option value="{treatments["published"].pk}" selected>', html)


def test_unknown_or_unpublished_treatment_is_ignored(client, offices, treatments):
    for slug in ("no-such-thing", "draft-therapy", "<script>"):
        response = client.get(FORM_URL, {"treatment": slug, "office": "nowhere"})
        html = response.content.decode()
        assert response.status_code == 200
        assert '<option value="" selected>Not sure yet</option>' in html
        assert "checked" not in re.search(r'name="office"[^>]*>', html).group(0)
    assert "Draft therapy" not in html


def test_unpublished_treatment_cannot_be_posted(client, encino, treatments):
    response = post(client, valid_form_data(encino, treatment=str(treatments["draft"].pk)))
    assert response.status_code == 400
    assert error_codes(response, "treatment") == ["invalid_choice"]


# --- A successful request: PRG, reference, storage ---------------------------------------


def test_request_is_stored_and_redirected_to_thanks_with_its_reference(
    client, encino, treatments, django_capture_on_commit_callbacks
):
    data = valid_form_data(encino, treatment=str(treatments["published"].pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, data)
    assert response.status_code == 302
    assert response["Location"] == THANKS_URL

    consultation = ConsultationRequest.objects.get()
    assert REFERENCE_RE.match(consultation.reference)
    assert consultation.reference.startswith("ENC-")
    assert consultation.office == encino
    assert consultation.treatment == treatments["published"]
    assert consultation.phone == "+12133734253"
    assert consultation.preferred_days == "mon,wed"
    assert consultation.status == ConsultationRequest.Status.NEW
    assert consultation.language == "en"
    assert StatusChange.objects.get().to_status == "new"

    thanks = client.get(THANKS_URL)
    html = thanks.content.decode()
    assert consultation.reference in html
    assert f'href="tel:{encino.phone}"' in html
    assert "What happens next" in html


def test_reloading_thanks_or_resending_the_same_form_never_stores_twice(client, encino):
    data = valid_form_data(encino)
    first = post(client, data)
    client.get(THANKS_URL)
    client.get(THANKS_URL)
    again = post(client, data)  # back button, then send again
    assert first["Location"] == again["Location"] == THANKS_URL
    assert ConsultationRequest.objects.count() == 1
    assert ConsultationRequest.objects.get().reference in client.get(THANKS_URL).content.decode()


def test_resent_form_from_another_session_is_recognised_too(client, encino, django_user_model):
    from django.test import Client

    data = valid_form_data(encino)
    post(client, data)
    other = Client()
    response = other.post(FORM_URL, data)
    assert response.status_code == 302
    assert ConsultationRequest.objects.count() == 1


def test_thanks_without_a_request_explains_and_offers_the_form(client, offices):
    response = client.get(THANKS_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "could not find a recent request" in html
    assert f'href="{FORM_URL}"' in html


def test_references_are_random_not_sequential():
    references = [generate_reference("LAX") for _ in range(300)]
    assert len(set(references)) == 300
    assert all(REFERENCE_RE.match(ref) for ref in references)
    assert references != sorted(references)


def test_a_reference_collision_is_retried_with_a_new_one(client, encino):
    post(client, valid_form_data(encino))
    taken = ConsultationRequest.objects.get().reference
    with mock.patch(
        "bookings.services.generate_reference", side_effect=[taken, taken, "ENC-ZZZZZ2"]
    ):
        response = post(client, valid_form_data(encino))
    assert response.status_code == 302
    assert set(ConsultationRequest.objects.values_list("reference", flat=True)) == {
        taken,
        "ENC-ZZZZZ2",
    }


def test_a_locked_database_keeps_what_was_typed_and_asks_to_try_again(client, encino):
    data = valid_form_data(encino, first_name="Marisol")
    with mock.patch(
        "bookings.services.submit_consultation_request",
        side_effect=OperationalError("database is locked"),
    ):
        response = post(client, data)
    assert response.status_code == 503
    html = response.content.decode()
    assert "We could not send your request just now" in html
    assert 'value="Marisol"' in html
    assert ConsultationRequest.objects.count() == 0


def test_a_request_the_model_refuses_gets_a_polite_400_not_a_500(client, encino, caplog):
    # The model's own checks run after the form's; if they ever disagree, the patient must
    # not see a stack trace, and nothing they typed may be lost from the page.
    data = valid_form_data(encino, first_name="Marisol")
    refused = ValidationError({"last_name": ["Too odd."]})
    with mock.patch.object(ConsultationRequest, "full_clean", side_effect=refused):
        response = post(client, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "We could not send your request just now" in html
    assert 'value="Marisol"' in html
    assert ConsultationRequest.objects.count() == 0
    assert "refused fields last_name" in caplog.text and "Marisol" not in caplog.text


# --- Consent ----------------------------------------------------------------------------


def test_consent_is_recorded_as_evidence(client, encino):
    before = timezone.now()
    post(client, valid_form_data(encino))
    consultation = ConsultationRequest.objects.get()
    assert consultation.consent_version == consent.CURRENT.version
    assert consultation.consent_text == consent.CURRENT.contact
    assert consultation.consent_to_contact is True
    assert consultation.consent_to_texts is False
    assert before <= consultation.consented_at <= timezone.now()


def test_texts_consent_is_separate_and_recorded_with_its_words(client, encino):
    post(client, valid_form_data(encino, contact_method="text", consent_to_texts="on"))
    consultation = ConsultationRequest.objects.get()
    assert consultation.consent_to_texts is True
    assert consultation.consent_text.splitlines() == [
        consent.CURRENT.contact,
        consent.CURRENT.texts,
    ]


def test_contact_by_text_needs_the_texts_consent(client, encino):
    response = post(client, valid_form_data(encino, contact_method="text"))
    assert response.status_code == 400
    assert error_codes(response, "consent_to_texts") == ["texts_need_consent"]


def test_no_consent_no_request(client, encino):
    response = post(client, valid_form_data(encino, consent_to_contact=None))
    assert response.status_code == 400
    assert error_codes(response, "consent_to_contact") == ["required"]
    assert ConsultationRequest.objects.count() == 0


def test_outdated_consent_wording_is_shown_again_and_asked_for(client, encino):
    response = post(client, valid_form_data(encino, consent_wording="1999-01-01"))
    assert response.status_code == 400
    assert error_codes(response, "consent_to_contact") == ["consent_updated"]
    assert f'value="{consent.CURRENT.version}"' in response.content.decode()


# --- Field validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "(213) 373-4253",
        "213-373-4253",
        "213.373.4253",
        "2133734253",
        "1 213 373 4253",
        "+1 (213) 373-4253",
        " 213 373 4253 ",
    ],
)
def test_us_phone_numbers_typed_any_common_way_are_stored_in_e164(client, encino, typed):
    response = post(client, valid_form_data(encino, phone=typed))
    assert response.status_code == 302, errors_of(response)
    assert ConsultationRequest.objects.get().phone == "+12133734253"


def test_international_number_and_extension_are_kept(client, encino):
    post(client, valid_form_data(encino, phone="+44 20 7946 0958"))
    post(client, valid_form_data(encino, phone="213-373-4253 ext. 12"))
    stored = set(ConsultationRequest.objects.values_list("phone", "phone_extension"))
    assert stored == {("+442079460958", ""), ("+12133734253", "12")}


@pytest.mark.parametrize("typed", ["12345", "call me", "555", "+1 000 000 0000", "1" * 41])
def test_phone_numbers_that_cannot_be_called_get_a_clear_error(client, encino, typed):
    response = post(client, valid_form_data(encino, phone=typed))
    assert response.status_code == 400
    assert error_codes(response, "phone") in (["invalid_phone"], ["max_length"])


@pytest.mark.parametrize(
    ("first", "last"), [("José", "Núñez"), ("李", "雷"), ("Zoë", "O'Brien-Łukasz")]
)
def test_unicode_names_are_kept_exactly(client, encino, first, last):
    response = post(client, valid_form_data(encino, first_name=first, last_name=last))
    assert response.status_code == 302
    consultation = ConsultationRequest.objects.get()
    assert (consultation.first_name, consultation.last_name) == (first, last)


def test_a_name_with_a_newline_is_kept_on_one_line(client, encino):
    post(client, valid_form_data(encino, first_name="Ana\r\nMaría"))
    assert ConsultationRequest.objects.get().first_name == "Ana María"


@pytest.mark.parametrize(
    "name",
    ["Mary-Jane", "O’Neil", "D'Arcy", "J.R.", "St. John", "María de los Ángeles", "Nguyễn Thị"],
)
def test_names_as_people_write_them_are_accepted(client, encino, name):
    assert post(client, valid_form_data(encino, first_name=name)).status_code == 302
    assert ConsultationRequest.objects.get().first_name == name


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        (
            "first_name",
            "Your booking is cancelled: rebook at https://evil.example/r",
            "name_has_address",
        ),
        ("first_name", "rebook at evil.example within 24h", "name_has_address"),
        ("last_name", "ana@example.org", "name_has_address"),
        ("first_name", "Call 818 555 0199", "name_characters"),
        ("last_name", "Ruiz!!!", "name_characters"),
        ("last_name", "<b>Ruiz</b>", "name_characters"),
        ("first_name", "A" * 61, "max_length"),
    ],
)
def test_a_name_field_refuses_links_sentences_and_symbols_politely(
    client, encino, field, value, code
):
    response = post(client, valid_form_data(encino, **{field: value}))
    assert response.status_code == 400
    assert code in error_codes(response, field)
    assert ConsultationRequest.objects.count() == 0
    message = errors_of(response)[field][0]["message"]
    assert message.startswith("Please"), message


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("first_name", "", "required"),
        ("first_name", "   ", "required"),
        ("first_name", "A" * 61, "max_length"),
        ("last_name", "", "required"),
        ("last_name", "Ruiz\x00", "control_characters"),
        ("email", "", "required"),
        ("email", "not-an-email", "invalid"),
        ("email", "ana@example.org\nBcc: x@example.com", "invalid"),
        ("email", "a" * 250 + "@example.org", "max_length"),
        ("phone", "", "required"),
        ("office", "", "required"),
        ("office", "99999", "invalid_choice"),
        ("treatment", "99999", "invalid_choice"),
        ("patient_status", "", "required"),
        ("patient_status", "vip", "invalid_choice"),
        ("contact_method", "", "required"),
        ("contact_method", "pigeon", "invalid_choice"),
        ("preferred_days", ["sun"], "invalid_choice"),
        ("preferred_time", "midnight", "invalid_choice"),
        ("payment", "bitcoin", "invalid_choice"),
        ("message", "", "required"),
        ("message", "x" * 1001, "max_length"),
        ("message", "Hello\x00there", "control_characters"),
    ],
)
def test_each_field_rejects_bad_input_politely(client, encino, field, value, code):
    response = post(client, valid_form_data(encino, **{field: value}))
    assert response.status_code == 400
    assert code in error_codes(response, field)
    assert ConsultationRequest.objects.count() == 0


def test_optional_fields_may_be_left_empty(client, encino):
    data = valid_form_data(
        encino, treatment="", preferred_days=None, preferred_time="", payment=None
    )
    response = post(client, data)
    assert response.status_code == 302
    consultation = ConsultationRequest.objects.get()
    assert (consultation.treatment, consultation.preferred_days) == (None, "")
    assert (consultation.preferred_time, consultation.payment) == ("", "")


def test_a_message_of_1000_characters_with_line_breaks_fits(client, encino):
    # 1,000 characters as the browser counts them, 1,009 as \r\n pairs on the wire.
    message = "\r\n".join(["a" * 99] * 10) + "b"
    assert len(message) == 1009
    response = post(client, valid_form_data(encino, message=message))
    assert response.status_code == 302, errors_of(response)
    assert len(ConsultationRequest.objects.get().message) == 1000


def test_html_in_the_message_is_stored_as_typed_and_shown_escaped(client, encino):
    message = '<script>alert("hi")</script> <b>Can I come on Monday?</b>'
    post(client, valid_form_data(encino, message=message))
    assert ConsultationRequest.objects.get().message == message


def test_errors_are_summarised_at_the_top_with_links_and_nothing_typed_is_lost(client, encino):
    data = valid_form_data(
        encino,
        first_name="José",
        email="jose@",
        phone="12",
        message="Hola, ¿puedo pedir una cita?",
        contact_method=None,
    )
    response = post(client, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in html
    start = html.index('id="error-summary"')
    summary = html[start : html.index("</ul>", start)]
    assert html.index('id="error-summary"') < html.index('id="consultation-form"')
    assert 'tabindex="-1"' in html[html.index('id="error-summary"') - 100 :][:300]
    for anchor in ("#id_email", "#id_phone", "#id_contact_method_0"):
        assert f'href="{anchor}"' in summary
    assert re.search(r'aria-describedby="id_email_error"', html)
    assert re.search(r'aria-describedby="id_phone_helptext id_phone_error"', html)
    assert re.search(r'<fieldset aria-describedby="id_contact_method_error">', html)
    for kept in ('value="José"', 'value="jose@"', 'value="12"', "Hola, ¿puedo pedir una cita?"):
        assert kept in html
    assert re.search(rf'name="office" value="{encino.pk}"[^>]*checked', html)
    assert "js/consultation-form.js" in html


# --- Medical detail: a gentle warning, once -----------------------------------------------


@pytest.mark.parametrize(
    ("message", "finding"),
    [
        ("My DOB is 04/12/1961, please call.", "a date of birth"),
        ("Born on March 3 and I want to ask about PRP.", "a date of birth"),
        ("I take ibuprofen 400 mg daily.", "medication names or doses"),
        ("Do you take Aetna? Member ID W123456789.", "an insurance member ID"),
        (
            "My knee pain started in 2019. "
            + "After the MRI I was diagnosed with arthritis, had an injection, "
            "then physical therapy, then more swelling and stiffness. " * 4,
            "a detailed history of symptoms",
        ),
    ],
)
def test_medical_detail_is_recognised(message, finding):
    assert finding in medical_detail_found(message)


@pytest.mark.parametrize(
    "message",
    [
        "Could you call me on Monday afternoon?",
        "Is there parking at the Encino office?",
        "I'd like a consultation about my knee, next week 11/24/2026 if possible.",
    ],
)
def test_everyday_messages_are_not_flagged(message):
    assert medical_detail_found(message) == []


def test_medical_detail_warns_once_then_sends_as_it_is(client, encino):
    message = "Hello, my DOB is 04/12/1961 and I take warfarin."
    first = post(client, valid_form_data(encino, message=message))
    html = first.content.decode()
    assert first.status_code == 200
    assert ConsultationRequest.objects.count() == 0
    assert 'id="medical-warning"' in html
    assert "a date of birth" in html and "medication names or doses" in html
    assert "Send it as it is" in html
    assert message in html
    assert 'aria-describedby="id_message_helptext medical-warning"' in html
    assert re.search(r'name="medical_checked" value="1"', html)

    second = post(client, valid_form_data(encino, message=message, medical_checked="1"))
    assert second.status_code == 302
    consultation = ConsultationRequest.objects.get()
    assert consultation.message == message
    assert consultation.medical_warning_shown is True


def test_an_edited_message_after_the_warning_is_sent_without_asking_again(client, encino):
    data = valid_form_data(encino, message="I take tramadol.", medical_checked="1")
    assert post(client, data).status_code == 302


# --- Spam: kept for review, never dropped -------------------------------------------------


def test_honeypot_hit_is_stored_as_spam_and_emails_nobody(
    client, encino, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, valid_form_data(encino, website="http://spam.example"))
    assert response.status_code == 302  # a bot learns nothing
    consultation = ConsultationRequest.objects.get()
    assert consultation.status == "spam"
    assert consultation.spam_reason == "honeypot"
    assert consultation.notifications.count() == 0
    assert mailoutbox == []


@pytest.mark.parametrize(
    "make_token",
    [
        lambda: form_token(age_seconds=0),
        lambda: "",
        lambda: "forged:token",
        lambda: issue_form_token()[:-3] + "abc",
    ],
    ids=["too-fast", "missing", "forged", "tampered"],
)
def test_too_fast_or_tokenless_submissions_are_stored_as_spam(client, encino, make_token):
    response = post(client, valid_form_data(encino, token=make_token()))
    assert response.status_code == 302
    consultation = ConsultationRequest.objects.get()
    assert (consultation.status, consultation.spam_reason) == ("spam", "too_fast")


def test_minimum_fill_time_comes_from_settings(client, encino, settings):
    settings.BOOKINGS_MIN_FILL_SECONDS = 120
    post(client, valid_form_data(encino, token=form_token(age_seconds=60)))
    assert ConsultationRequest.objects.get().spam_reason == "too_fast"


# --- Rate limit ---------------------------------------------------------------------------


@pytest.fixture
def tight_limit(settings):
    settings.BOOKINGS_RATE_LIMIT = 2
    settings.BOOKINGS_RATE_LIMIT_KEEP = 1
    return settings


def test_over_the_rate_limit_the_patient_gets_a_429_page_with_both_phones(
    client, offices, encino, tight_limit
):
    codes = [post(client, valid_form_data(encino)).status_code for _ in range(4)]
    assert codes == [302, 302, 429, 429]
    response = post(client, valid_form_data(encino))
    html = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert 'id="main-content"' in html  # the site's layout
    for office in offices:
        assert f'href="tel:{office.phone}"' in html
    # Two within the limit, one more kept for review; the flood after that is not stored.
    stored = ConsultationRequest.objects.order_by("created_at")
    assert [(c.status, c.over_rate_limit) for c in stored] == [
        ("new", False),
        ("new", False),
        ("new", True),
    ]


def test_a_request_over_the_rate_limit_reaches_the_office_but_sends_no_acknowledgement(
    client, encino, tight_limit, mailoutbox, django_capture_on_commit_callbacks
):
    for _ in range(2):
        post(client, valid_form_data(encino))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, valid_form_data(encino, email="maybe.real@example.org"))
    assert response.status_code == 429
    assert "kept" in response.content.decode()
    held = ConsultationRequest.objects.get(over_rate_limit=True)
    assert (held.status, held.spam_reason) == ("new", "")
    # The office hears of it like any request; the patient's address gets nothing, or a flood
    # could mail any address from the clinic.
    assert [m.to[0] for m in mailoutbox] == [encino.consultation_email]


def test_while_the_shared_limit_is_down_each_worker_still_limits_acknowledgements(
    client, encino, tight_limit, mailoutbox, django_capture_on_commit_callbacks
):
    WORKER_FALLBACK_CACHE.clear()
    redis_down = mock.Mock(**{"get_many.side_effect": ConnectionError("Redis is down")})
    with mock.patch("bookings.spam.default_cache", redis_down):
        with django_capture_on_commit_callbacks(execute=True):
            codes = [post(client, valid_form_data(encino)).status_code for _ in range(5)]
    assert codes == [302, 302, 429, 429, 429]
    # Every request is stored (the worker cannot tell a flood from a busy office) ...
    stored = ConsultationRequest.objects.order_by("created_at")
    assert [c.over_rate_limit for c in stored] == [False, False, True, True, True]
    # ... but the patient's address got only the acknowledgements within the limit.
    acknowledgements = [m for m in mailoutbox if m.to == ["ana.ruiz@example.org"]]
    assert len(acknowledgements) == 2
    assert [m.to for m in mailoutbox].count([encino.consultation_email]) == 5


def test_the_workers_own_limit_is_small_and_bounded():
    # A flood of addresses cannot grow a worker's memory: old entries are dropped.
    WORKER_FALLBACK_CACHE.clear()
    limiter = RateLimiter(WORKER_FALLBACK_CACHE, limit=1, window=600, keep=0)
    assert limiter.hit("192.0.2.1", now=0).allowed
    assert not limiter.hit("192.0.2.1", now=0).allowed
    for n in range(5000):
        limiter.hit(f"198.51.{n // 250}.{n % 250}", now=0)
    # The first client's count was dropped to make room: the memory held stays bounded.
    assert limiter.hit("192.0.2.1", now=0).allowed


def test_the_rate_limit_counts_each_client_separately(client, encino, tight_limit):
    for _ in range(3):
        post(client, valid_form_data(encino), REMOTE_ADDR="203.0.113.7")
    response = post(client, valid_form_data(encino), REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(client, encino, tight_limit):
    codes = [
        post(client, valid_form_data(encino), HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]
    assert codes[-1] == 429


def test_form_errors_do_not_use_up_the_rate_limit(client, encino, tight_limit):
    for _ in range(5):
        post(client, valid_form_data(encino, email="typo@"))
    assert post(client, valid_form_data(encino)).status_code == 302


def test_rate_limit_holds_across_two_separate_cache_clients(db):
    # Two cache objects stand for two gunicorn workers; they share only the cache itself.
    worker_a = RateLimiter(caches.create_connection("default"), limit=3, window=600, keep=0)
    worker_b = RateLimiter(caches.create_connection("default"), limit=3, window=600, keep=0)
    assert worker_a.cache is not worker_b.cache
    results = [worker_a.hit("192.0.2.1"), worker_b.hit("192.0.2.1"), worker_a.hit("192.0.2.1")]
    assert [r.allowed for r in results] == [True, True, True]
    assert worker_b.hit("192.0.2.1").allowed is False
    assert worker_a.hit("192.0.2.2").allowed is True


def test_rate_limit_holds_across_two_redis_clients():
    redis = pytest.importorskip("redis")
    from django.core.cache.backends.redis import RedisCache

    url = "redis://127.0.0.1:6379/11"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    # A prefix of our own per run; the keys expire with the window, nothing else is touched.
    options = {"KEY_PREFIX": f"test-bookings-{uuid.uuid4().hex}"}
    a = RateLimiter(RedisCache(url, options), limit=2, window=60, keep=0)
    b = RateLimiter(RedisCache(url, options), limit=2, window=60, keep=0)
    assert [a.hit("192.0.2.9").allowed, b.hit("192.0.2.9").allowed] == [True, True]
    assert a.hit("192.0.2.9").allowed is False
    assert b.hit("192.0.2.9").allowed is False


def test_the_rate_limit_keys_do_not_contain_the_address(db):
    limiter = RateLimiter(limit=1, window=600, keep=0)
    key = limiter._prefix("203.0.113.77", now=0)
    assert "203.0.113.77" not in key
    assert key != limiter._prefix("203.0.113.78", now=0)


# --- Names as stored and found ---------------------------------------------------------------

DECOMPOSED = ("Zoe\u0308", "Nu\u0301n\u0303ez")  # as some keyboards and phones send them


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (DECOMPOSED, ("Zoë", "Núñez")),
        (("Ro\u200bss", "Gel\u200dler"), ("Ross", "Geller")),
        (("\u202eAna", "Ruiz\u2066\u2069\ufeff"), ("Ana", "Ruiz")),
        (("Mar\u00adie", "Cu\u2060rie"), ("Marie", "Curie")),
    ],
    ids=["decomposed-accents", "zero-width", "bidi-overrides", "soft-hyphen-word-joiner"],
)
def test_names_are_stored_in_one_form_without_invisible_characters(client, encino, typed, stored):
    message = "Zero\u200bwidth stays in the message: it is kept as typed."
    response = post(
        client,
        valid_form_data(encino, first_name=typed[0], last_name=typed[1], message=message),
    )
    assert response.status_code == 302
    consultation = ConsultationRequest.objects.get()
    assert (consultation.first_name, consultation.last_name) == stored
    assert consultation.message == message


@pytest.mark.parametrize(
    ("first", "last", "search"),
    [
        (*DECOMPOSED, "Zoë Núñez"),
        ("Zoë", "Núñez", "Zoe\u0308 Nu\u0301n\u0303ez"),
        ("Ro\u200bss", "Geller", "Ross"),
    ],
)
def test_admin_search_finds_names_however_they_were_typed(
    client, encino, admin_user, first, last, search
):
    post(client, valid_form_data(encino, first_name=first, last_name=last))
    other = valid_form_data(encino, first_name="Rachel", last_name="Green", token=form_token())
    post(client, other, REMOTE_ADDR="198.51.100.9")
    target = ConsultationRequest.objects.exclude(first_name="Rachel").get()
    sign_in(client, admin_user)
    html = client.get(
        reverse("admin:bookings_consultationrequest_changelist"), {"q": search}
    ).content.decode()
    assert target.reference in html
    assert "Rachel" not in html


def test_names_stored_before_are_normalised_by_the_migration(encino):
    decomposed = make_request(encino, first_name=DECOMPOSED[0], last_name="Ro\u200bss")
    plain = make_request(encino, first_name="Ana", last_name="Ruiz")
    migration = importlib.import_module("bookings.migrations.0007_names_are_stored_normalised")
    migration.normalise_stored_names(apps, schema_editor=None)
    decomposed.refresh_from_db()
    plain.refresh_from_db()
    assert (decomposed.first_name, decomposed.last_name) == ("Zoë", "Ross")
    assert (plain.first_name, plain.last_name) == ("Ana", "Ruiz")
