"""The consent wording patients agree to, versioned so each request records what it showed."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ConsentWording:
    version: str
    contact: str
    texts: str


# Never edit a published version: add a new one and make it CURRENT, so old records stay true.
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
}
CURRENT = VERSIONS["2026-11-01"]


def consent_evidence(*, version: str, contact: bool, texts: bool) -> str:
    """The exact sentences the patient ticked, one per line."""
    wording = VERSIONS[version]
    agreed = [wording.contact] if contact else []
    if texts:
        agreed.append(wording.texts)
    return "\n".join(agreed)
