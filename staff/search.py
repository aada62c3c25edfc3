"""Search terms that name one request exactly: a reference or a phone number."""

import re

import phonenumbers

# An office prefix and six characters, e.g. ENC-7K3F9Q.
REFERENCE_SHAPE = re.compile(r"^[A-Za-z]{2,4}-[A-Za-z0-9]{6}$")


def as_reference(text: str) -> str:
    """The reference the text is, upper-cased (ENC-7K3F9Q), or empty."""
    text = text.strip()
    return text.upper() if REFERENCE_SHAPE.match(text) else ""


def as_phone(text: str) -> str:
    """The text as a stored (E.164) phone number if it is one and nothing else; else empty."""
    if re.search(r"[^\d\s()+.\-]", text) or sum(ch.isdigit() for ch in text) < 7:
        return ""
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
