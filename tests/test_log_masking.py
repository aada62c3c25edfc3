"""Email addresses are masked whole in logs, whatever their local part holds."""

import pytest

from clinic_site.logs import redact


@pytest.mark.parametrize(
    "address",
    [
        "o'brien@example.org",
        "a!b#c$d%e&f@example.org",
        "x+tag@mail.example.co.uk",
        "{curly}|pipe~tilde@example.org",
        "q=1?^`@example.org",
        '"john doe"@example.org',
        "josé.núñez@example.org",
    ],
)
def test_an_unusual_email_address_is_masked_whole(address):
    assert redact(f"Notification to {address} failed") == "Notification to [redacted] failed"


def test_masking_keeps_the_words_around_an_address():
    text = "Key (email)=(o'brien@example.org) already exists."
    assert redact(text) == "Key (email)=([redacted]) already exists."
