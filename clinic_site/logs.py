"""Logging helpers: a request id on every line, and a last guard against personal data."""

import contextvars
import logging
import re

from django.core.signals import request_finished
from django.dispatch import receiver

# Set by RequestLogMiddleware when a request starts, back to "-" when it has finished.
request_id_var = contextvars.ContextVar("request_id", default="-")


@receiver(request_finished, dispatch_uid="clinic_site.logs.clear_request_id")
def clear_request_id(**kwargs):
    request_id_var.set("-")


# The whole address: a local part may hold any of RFC 5322's !#$%&'*+/=?^`{|}~, or be quoted.
# A local part starts only where a run of its characters starts, and nothing is tried twice
# (possessive ++): linear time, so a 10,000-character line an attacker made costs no CPU.
LOCAL_PART = r"""\w.!#$%&'*+/=?^`{|}~-"""
EMAIL_RE = re.compile(
    rf"""(?:"[^"\r\n]*+"|(?<![{LOCAL_PART}])[{LOCAL_PART}]++)@[\w-]++(?:\.[\w-]++)+"""
)
# Ten or more digits written as a phone number; a following ":" means a clock time, not a phone.
PHONE_RE = re.compile(r"(?<![\w:])\+?\(?\d(?:[ ()-]*\d){9,14}(?![\w:])")
# PostgreSQL error details quote the offending row, which may hold a patient's data.
DB_DETAIL_RE = re.compile(r"(DETAIL:\s*).*")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """Mask email addresses, phone numbers and database row details in a log text."""
    text = DB_DETAIL_RE.sub(r"\1" + REDACTED, text)
    text = EMAIL_RE.sub(REDACTED, text)
    return PHONE_RE.sub(REDACTED, text)


class RequestIdFilter(logging.Filter):
    """Add the current request's id to every record, so errors can be traced to a request."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class RedactingFormatter(logging.Formatter):
    """A formatter that masks personal data a message or traceback might carry by accident."""

    def formatMessage(self, record):
        record.message = redact(record.message)
        return super().formatMessage(record)

    def formatException(self, ei):
        return redact(super().formatException(ei))
