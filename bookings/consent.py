"""The consent wording patients agree to, versioned so each request records what it showed."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language


@dataclass(frozen=True)
class ConsentWording:
    version: str
    contact: str
    texts: str
    language: str = "en"


# Never edit a published version: add a new one and make it current, so old records stay true.
# Each language has its own versions: the record must hold the words in the language shown.
VERSIONS = {
    "2026-11-01": ConsentWording(
        version="2026-11-01",
        contact=(
            "I agree that the practice may contact me by phone or email about this request. "
            "I understand this form is not for emergencies or medical questions."
        ),
        texts=(
            "I also agree to get text messages about this request at the phone number above. "
            "Message and data rates may apply. Reply STOP to end texts."
        ),
    ),
    "2026-11-01-es": ConsentWording(
        version="2026-11-01-es",
        contact=(
            "Acepto que la clínica se comunique conmigo por teléfono o correo electrónico sobre "
            "esta solicitud. Entiendo que este formulario no es para emergencias ni para "
            "preguntas médicas."
        ),
        texts=(
            "También acepto recibir mensajes de texto sobre esta solicitud al número de "
            "teléfono que escribí arriba. Pueden aplicarse tarifas de mensajes y datos. Responda "
            "STOP para dejar de recibir mensajes."
        ),
        language="es",
    ),
}
# The wording each page language shows today.
CURRENT_BY_LANGUAGE = {
    "en": VERSIONS["2026-11-01"],
    "es": VERSIONS["2026-11-01-es"],
}
CURRENT = CURRENT_BY_LANGUAGE["en"]


def current(language: str | None = None) -> ConsentWording:
    """Today's wording in the given language, else the page's, else the site's default."""
    code = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return CURRENT_BY_LANGUAGE.get(code, CURRENT_BY_LANGUAGE[settings.LANGUAGE_CODE])


def consent_evidence(*, version: str, contact: bool, texts: bool) -> str:
    """The exact sentences the patient ticked, one per line."""
    wording = VERSIONS[version]
    agreed = [wording.contact] if contact else []
    if texts:
        agreed.append(wording.texts)
    return "\n".join(agreed)
