"""The consultation form, its consent evidence, medical check, emails and admin in two languages."""

import csv
import dataclasses
import io
import re
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from bookings import consent
from bookings.medical import medical_detail_found
from bookings.models import ConsultationRequest
from bookings.services import change_status
from tests.factories import valid_form_data
from tests.test_i18n_pages import Page

SPANISH_FORM = "/es/consultation/"
ENGLISH_FORM = "/consultation/"


@pytest.fixture
def encino(offices):
    return next(o for o in offices if o.slug == "encino")


def spanish_form_data(office, **overrides) -> dict:
    """What a patient sends from the Spanish form: the Spanish consent version included."""
    overrides.setdefault("consent_wording", consent.current("es").version)
    overrides.setdefault("message", "¿Me pueden llamar sobre una cita para la rodilla?")
    return valid_form_data(office, **overrides)


def submit(client, url, data, capture):
    with capture(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response, ConsultationRequest.objects.latest("created_at")


def send_pending() -> str:
    out = io.StringIO()
    call_command("send_pending_notifications", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def mail_to(outbox, address):
    found = [m for m in outbox if address in m.to]
    assert len(found) == 1, [m.to for m in outbox]
    return found[0]


# --- The form in Spanish ------------------------------------------------------------------


def test_the_spanish_form_labels_hints_and_marks_required_fields_in_words(client, encino):
    page = Page(client.get(SPANISH_FORM).content.decode())
    assert page.lang == "es"
    assert page.title.startswith("Solicitar una consulta | ")
    assert page.label_for("id_first_name") == "Nombre (obligatorio)"
    assert page.label_for("id_last_name") == "Apellido (obligatorio)"
    assert page.label_for("id_email") == "Correo electrónico (obligatorio)"
    assert page.label_for("id_phone") == "Número de teléfono (obligatorio)"
    assert page.label_for("id_message") == "Su mensaje (obligatorio)"
    assert page.label_for("id_treatment") == "Tratamiento que le interesa"  # optional: no mark
    assert page.first("div", id="id_message_helptext").text == (
        "Escriba solo preguntas que no sean médicas; no envíe expedientes médicos ni detalles "
        "de su padecimiento. Hasta 1,000 caracteres."
    )
    assert page.first("div", id="id_phone_helptext").text.startswith("Puede escribirlo como quiera")
    legends = [e.text for e in page.find_all("legend")]
    assert "¿Cómo prefiere que nos comuniquemos con usted? (obligatorio)" in legends
    assert ["Sus datos", "Su visita", "Su mensaje", "Su consentimiento"] == [
        legend for legend in legends if not legend.endswith(")") and "?" not in legend
    ]
    for option in ("Llamada telefónica", "Correo electrónico", "Mensaje de texto", "Lunes"):
        assert page.first("label", for_=page_option_id(page, option)).text == option
    assert page.first("option", value="").text == "Todavía no sé"
    spanish = consent.current("es")
    assert page.label_for("id_consent_to_contact") == f"{spanish.contact} (obligatorio)"
    assert page.label_for("id_consent_to_texts") == spanish.texts
    assert page.first("input", name="consent_wording").attrs["value"] == spanish.version
    assert page.first("button", type="submit", class_="btn btn-primary btn-lg").text == (
        "Enviar mi solicitud"
    )
    assert "(required)" not in page.html


def page_option_id(page: Page, text: str) -> str:
    """The id of the radio or checkbox whose label reads `text`."""
    for label in page.find_all("label"):
        if label.text == text and label.attrs.get("for"):
            return label.attrs["for"]
    raise AssertionError(f"no option labelled {text!r}")


def test_the_english_form_is_unchanged(client, encino):
    page = Page(client.get(ENGLISH_FORM).content.decode())
    assert page.lang == "en"
    assert page.label_for("id_first_name") == "First name (required)"
    assert page.label_for("id_consent_to_contact") == f"{consent.CURRENT.contact} (required)"
    assert page.first("input", name="consent_wording").attrs["value"] == consent.CURRENT.version
    assert consent.current("en") == consent.CURRENT
    assert "obligatorio" not in page.html


@pytest.mark.parametrize(
    ("first_name", "message"),
    [
        (
            "Visite https://evil.example/r",
            "Escriba aquí solo su nombre, sin direcciones web ni de correo electrónico.",
        ),
        (
            "Ana #1",
            "Use solo letras, espacios, guiones (-), apóstrofos (') y puntos (.) en su nombre.",
        ),
    ],
)
def test_a_bad_name_is_explained_politely_in_spanish(client, encino, first_name, message):
    response = client.post(SPANISH_FORM, spanish_form_data(encino, first_name=first_name))
    assert response.status_code == 400
    summary = Page(response.content.decode()).first("div", id="error-summary")
    assert summary.links() == [(message, "#id_first_name")]


def test_a_bad_spanish_submission_is_explained_in_spanish(client, encino):
    data = spanish_form_data(
        encino,
        first_name="",
        email="ana@",
        phone="12",
        last_name="R" * 101,
        contact_method="text",
    )
    response = client.post(SPANISH_FORM, data)
    assert response.status_code == 400
    codes = {
        field: [e["code"] for e in errors]
        for field, errors in response.context["form"].errors.get_json_data().items()
    }
    assert codes == {
        "first_name": ["required"],
        "last_name": ["max_length"],
        "email": ["invalid"],
        "phone": ["invalid_phone"],
        "consent_to_texts": ["texts_need_consent"],
    }
    page = Page(response.content.decode())
    assert page.title.startswith("Error: Solicitar una consulta")
    summary = page.first("div", id="error-summary")
    assert [e.text for e in summary.iter() if e.tag == "h2"] == ["Hay un problema con su solicitud"]
    assert summary.links() == [
        ("Escriba su nombre.", "#id_first_name"),
        ("Acorte su apellido a 60 caracteres o menos (ahora tiene 101).", "#id_last_name"),
        ("Escriba un correo electrónico como nombre@ejemplo.com.", "#id_email"),
        (
            "Escriba un número de teléfono al que podamos llamar, por ejemplo 818-555-0123. "
            "Los números fuera de Estados Unidos necesitan su código de país, como +52 para "
            "México.",
            "#id_phone",
        ),
        (
            "Usted pidió que le contactemos por mensaje de texto. Marque esta casilla para "
            "permitir los mensajes, o elija teléfono o correo electrónico.",
            "#id_consent_to_texts",
        ),
    ]
    # Each field repeats its own error next to it, in Spanish.
    assert page.first("div", id="id_first_name_error").text == "Escriba su nombre."
    assert "Escriba un correo electrónico" in page.first("div", id="id_email_error").text
    assert "Please" not in page.main_text
    assert ConsultationRequest.objects.count() == 0


def test_an_outdated_consent_on_the_spanish_form_is_asked_again_in_spanish(client, encino):
    response = client.post(SPANISH_FORM, spanish_form_data(encino, consent_wording="1999-01-01"))
    assert response.status_code == 400
    page = Page(response.content.decode())
    assert page.first("input", name="consent_wording").attrs["value"] == "2026-11-01-es"
    assert page.first("div", id="id_consent_to_contact_error").text == (
        "Actualizamos este texto mientras usted llenaba el formulario. Léalo y marque la "
        "casilla otra vez, por favor."
    )


def test_a_spanish_request_records_its_language_and_the_spanish_consent_words(
    client, encino, django_capture_on_commit_callbacks
):
    data = spanish_form_data(encino, contact_method="text", consent_to_texts="on")
    response, consultation = submit(client, SPANISH_FORM, data, django_capture_on_commit_callbacks)
    assert response["Location"] == "/es/consultation/thanks/"
    assert consultation.language == "es"
    spanish = consent.VERSIONS["2026-11-01-es"]
    assert spanish.language == "es"
    assert consultation.consent_version == "2026-11-01-es"
    assert consultation.consent_text.splitlines() == [spanish.contact, spanish.texts]
    assert "Acepto que la clínica se comunique conmigo" in consultation.consent_text
    # The English wording keeps its own version: the record proves which one was read.
    assert consent.CURRENT.version != spanish.version
    assert consent.CURRENT.contact not in consultation.consent_text

    thanks = Page(client.get(response["Location"]).content.decode())
    assert thanks.lang == "es"
    assert thanks.h1 == "Gracias, ya recibimos su solicitud"
    assert consultation.reference in thanks.main_text
    assert (
        "La recepción de nuestro consultorio de Encino se comunicará con usted por mensaje de "
        "texto, normalmente en un día hábil." in thanks.main_text
    )
    assert "Los resultados varían de una persona a otra." in thanks.main_text


def test_an_english_request_records_english(client, encino, django_capture_on_commit_callbacks):
    _, consultation = submit(
        client, ENGLISH_FORM, valid_form_data(encino), django_capture_on_commit_callbacks
    )
    assert consultation.language == "en"
    assert consultation.consent_version == consent.CURRENT.version


# --- Medical detail in Spanish ------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "finding"),
    [
        ("Mi fecha de nacimiento es 12/04/1961.", "a date of birth"),
        ("Nací el 3 de marzo, quisiera una cita.", "a date of birth"),
        ("naci en 1958 y me duele la rodilla", "a date of birth"),
        ("Tomo ibuprofeno 400 mg todos los días.", "medication names or doses"),
        ("Estoy tomando paracetamol y warfarina.", "medication names or doses"),
        ("Mi número de miembro es W123456789.", "an insurance member ID"),
        ("Numero de poliza 88123456, ¿lo aceptan?", "an insurance member ID"),
        ("Mi póliza es 4471002 de Blue Shield.", "an insurance member ID"),
        (
            "Me duele la rodilla desde 2019. "
            + "Después de la resonancia me diagnosticaron artrosis, me pusieron una inyección, "
            "luego fisioterapia y después más hinchazón y rigidez. " * 3,
            "a detailed history of symptoms",
        ),
    ],
)
def test_spanish_medical_detail_is_recognised(message, finding):
    assert finding in medical_detail_found(message)


@pytest.mark.parametrize(
    "message",
    [
        "¿Me pueden llamar el lunes por la tarde?",
        "¿Hay estacionamiento en el consultorio de Encino?",
        "Quisiera una consulta sobre mi rodilla, el 24/11/2026 si se puede.",
        "Nací en México y prefiero hablar en español.",
        "¿Aceptan mi póliza de Blue Shield?",
    ],
)
def test_everyday_spanish_messages_are_not_flagged(message):
    assert medical_detail_found(message) == []


def test_the_medical_warning_reads_in_spanish_and_still_sends_once_confirmed(client, encino):
    message = "Hola, mi fecha de nacimiento es 04/12/1961 y tomo warfarina."
    first = client.post(SPANISH_FORM, spanish_form_data(encino, message=message))
    assert first.status_code == 200
    page = Page(first.content.decode())
    warning = page.first("div", id="medical-warning")
    assert [e.text for e in warning.iter() if e.tag == "h2"] == [
        "Revise su mensaje antes de enviarlo"
    ]
    assert (
        "Parece que su mensaje incluye una fecha de nacimiento, nombres o dosis de "
        "medicamentos." in warning.text
    )
    assert ("cambiar su mensaje", "#id_message") in warning.links()
    assert [e.text for e in warning.iter() if e.tag == "button"] == ["Enviarlo tal como está"]
    assert ConsultationRequest.objects.count() == 0

    second = client.post(
        SPANISH_FORM, spanish_form_data(encino, message=message, medical_checked="1")
    )
    assert second.status_code == 302
    consultation = ConsultationRequest.objects.get()
    assert consultation.medical_warning_shown and consultation.language == "es"


# --- Emails -------------------------------------------------------------------------------


def test_a_spanish_request_gets_a_spanish_acknowledgement_and_staff_an_english_notice(
    client, encino, mailoutbox, django_capture_on_commit_callbacks
):
    _, consultation = submit(
        client, SPANISH_FORM, spanish_form_data(encino), django_capture_on_commit_callbacks
    )
    patient = mail_to(mailoutbox, consultation.email)
    assert patient.subject == f"Recibimos su solicitud de consulta {consultation.reference}"
    assert patient.body.startswith("Hola:\n")
    assert f"Ya la recibimos y su número de referencia es {consultation.reference}." in patient.body
    assert "se comunicará con usted por teléfono, normalmente en un día hábil" in patient.body
    assert encino.phone_display in patient.body
    assert "Puede responder a este correo" in " ".join(patient.body.split())
    assert patient.reply_to == [encino.consultation_email]
    assert "Please" not in patient.body and "Thank you" not in patient.body

    office = mail_to(mailoutbox, encino.consultation_email)
    assert office.subject.startswith(f"New consultation request {consultation.reference}")
    assert "Patient's language: Spanish" in office.body
    assert "Preferred contact: Phone call" in office.body
    assert "A new consultation request has arrived for the Encino office." in office.body


def test_an_english_request_gets_english_emails(
    client, encino, mailoutbox, django_capture_on_commit_callbacks
):
    _, consultation = submit(
        client, ENGLISH_FORM, valid_form_data(encino), django_capture_on_commit_callbacks
    )
    patient = mail_to(mailoutbox, consultation.email)
    assert patient.subject == f"We received your consultation request {consultation.reference}"
    assert patient.body.startswith("Hello,\n")
    assert "will contact you by phone, usually within one business day" in patient.body
    office = mail_to(mailoutbox, encino.consultation_email)
    assert "Patient's language: English" in office.body


@pytest.mark.parametrize(
    ("form", "data", "ambient", "subject"),
    [
        (SPANISH_FORM, spanish_form_data, "en", "Recibimos su solicitud de consulta"),
        (ENGLISH_FORM, valid_form_data, "es", "We received your consultation request"),
    ],
)
def test_a_retried_email_goes_out_in_the_patients_language_whatever_cron_runs_in(
    client, encino, mailoutbox, django_capture_on_commit_callbacks, form, data, ambient, subject
):
    with mock.patch("bookings.notifications.send_email", side_effect=OSError("SMTP down")):
        _, consultation = submit(client, form, data(encino), django_capture_on_commit_callbacks)
    assert mailoutbox == []
    with translation.override(ambient):
        assert "Sent 2, failed 0." in send_pending()
    patient = mail_to(mailoutbox, consultation.email)
    assert patient.subject == f"{subject} {consultation.reference}"
    office = mail_to(mailoutbox, encino.consultation_email)
    assert office.subject.startswith("New consultation request")
    assert "Patient's language:" in office.body


def test_a_spanish_request_released_from_spam_gets_its_spanish_email(
    client, encino, mailoutbox, django_capture_on_commit_callbacks, admin_user
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SPANISH_FORM, spanish_form_data(encino, website="http://buy.example"))
    consultation = ConsultationRequest.objects.get()
    assert consultation.is_spam and mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        change_status(consultation, ConsultationRequest.Status.NEW, by=admin_user)
    patient = mail_to(mailoutbox, consultation.email)
    assert patient.subject.startswith("Recibimos su solicitud de consulta")
    assert "Patient's language: Spanish" in mail_to(mailoutbox, encino.consultation_email).body


# --- Admin: staff see and filter the patient's language -----------------------------------


@pytest.fixture
def requests_in_each_language(client, encino, django_capture_on_commit_callbacks):
    made = {}
    for language, url, data in [
        ("es", SPANISH_FORM, spanish_form_data),
        ("en", ENGLISH_FORM, valid_form_data),
    ]:
        _, made[language] = submit(client, url, data(encino), django_capture_on_commit_callbacks)
    # Requests saved before the site had Spanish recorded "en-us"; they count as English.
    _, made["en-us"] = submit(
        client, ENGLISH_FORM, valid_form_data(encino), django_capture_on_commit_callbacks
    )
    ConsultationRequest.objects.filter(pk=made["en-us"].pk).update(language="en-us")
    client.logout()
    return made


def changelist_references(admin_client, query: str) -> set[str]:
    html = admin_client.get(reverse("admin:bookings_consultationrequest_changelist") + query)
    assert html.status_code == 200
    text = html.content.decode()
    return {
        ref
        for ref in ConsultationRequest.objects.values_list("reference", flat=True)
        if ref in text
    }


def test_admin_lists_and_filters_requests_by_the_patients_language(
    admin_client, requests_in_each_language
):
    made = requests_in_each_language
    response = admin_client.get(reverse("admin:bookings_consultationrequest_changelist"))
    page = Page(response.content.decode())
    assert page.lang == "en"  # staff work in English
    filter_links = [
        text
        for text, href in page.first("nav", id="changelist-filter").links()
        if "language=" in href
    ]
    assert filter_links == ["English", "Spanish"]
    rows = {row.text.split()[0]: row.text for row in page.find_all("tr")[1:]}
    assert "Spanish" in rows[made["es"].reference]
    assert "English" in rows[made["en"].reference]

    assert changelist_references(admin_client, "?language=es") == {made["es"].reference}
    assert changelist_references(admin_client, "?language=en") == {
        made["en"].reference,
        made["en-us"].reference,
    }


def test_admin_change_page_and_csv_name_the_language(admin_client, requests_in_each_language):
    spanish_request = requests_in_each_language["es"]
    change = admin_client.get(
        reverse("admin:bookings_consultationrequest_change", args=[spanish_request.pk])
    )
    page = Page(change.content.decode())
    shown = [e.text for e in page.root.iter() if "field-language_name" in e.attrs.get("class", "")]
    assert shown == ["Language: Spanish"]
    response = admin_client.post(
        reverse("admin:bookings_consultationrequest_changelist"),
        {"action": "export_csv", "_selected_action": [spanish_request.pk], "select_across": 0},
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Language"] for row in rows] == ["Spanish"]


# --- The Spanish consent says what the English says, clause by clause -----------------------

# Each English phrase of the consent and the words its Spanish sentence must carry.
CONSENT_GLOSSARY = {
    "i agree": ["acepto"],
    "i also agree": ["también acepto"],
    "contact me": ["comunique conmigo"],
    "by phone or email": ["por teléfono o correo electrónico"],
    "about this request": ["sobre esta solicitud"],
    "i understand": ["entiendo"],
    "not for emergencies": ["no es para emergencias"],
    "medical questions": ["preguntas médicas"],
    "text messages": ["mensajes de texto"],
    "phone number above": ["número de teléfono", "arriba"],
    "message and data rates": ["tarifas de mensajes y datos"],
    "may apply": ["pueden aplicarse"],
    "reply stop": ["responda stop"],
    "end texts": ["dejar de recibir mensajes"],
}


def clauses(wording: consent.ConsentWording) -> dict[str, list[str]]:
    """Each checkbox's text (every field but the version and language), split into sentences."""
    return {
        field.name: re.split(r"(?<=[.!?])\s+", getattr(wording, field.name).strip())
        for field in dataclasses.fields(wording)
        if field.name not in {"version", "language"}
    }


def twins() -> list[tuple[consent.ConsentWording, consent.ConsentWording]]:
    """(English, Spanish) pairs: today's, and every Spanish version whose English one exists."""
    pairs = [(consent.CURRENT_BY_LANGUAGE["en"], consent.CURRENT_BY_LANGUAGE["es"])]
    for wording in consent.VERSIONS.values():
        english = consent.VERSIONS.get(wording.version.removesuffix("-es"))
        if wording.language == "es" and english and english.language == "en":
            pairs.append((english, wording))
    return pairs


@pytest.mark.parametrize(("english", "spanish"), twins(), ids=lambda wording: wording.version)
def test_the_spanish_consent_matches_the_english_clause_by_clause(english, spanish):
    english_clauses, spanish_clauses = clauses(english), clauses(spanish)
    assert english_clauses.keys() == spanish_clauses.keys()
    for checkbox, sentences in english_clauses.items():
        assert len(spanish_clauses[checkbox]) == len(sentences), checkbox
        for english_sentence, spanish_sentence in zip(
            sentences, spanish_clauses[checkbox], strict=True
        ):
            found = [term for term in CONSENT_GLOSSARY if term in english_sentence.lower()]
            # A new English clause needs its terms here, so it cannot go unchecked.
            assert found, f"add the terms of {english_sentence!r} to CONSENT_GLOSSARY"
            for term in found:
                for words in CONSENT_GLOSSARY[term]:
                    assert words in spanish_sentence.lower(), (english_sentence, words)
