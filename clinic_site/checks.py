"""System checks that keep production from starting with settings that fail patients quietly."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# The tag of these checks; wsgi.py runs them before gunicorn serves anything.
TAG = "clinic"


def check_site_url(app_configs=None, **kwargs):
    """Staff emails link to admin and pages name their canonical address with SITE_URL."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme in {"http", "https"} and parts.hostname:
        return []
    return [
        Error(
            f"SITE_URL is {'not set' if not settings.SITE_URL else repr(settings.SITE_URL)}.",
            hint="Set SITE_URL to the site's public address, e.g. https://clinic.example.org: "
            "links in staff emails and canonical URLs are built from it. It defaults to "
            "http://127.0.0.1:8000 only when DEBUG is on.",
            id="clinic.E001",
        )
    ]


def check_email_delivery(app_configs=None, **kwargs):
    """SMTP needs a host; without DEBUG there is no quiet fallback that prints mail to the log."""
    if settings.EMAIL_BACKEND != SMTP_BACKEND or settings.EMAIL_HOST:
        return []
    return [
        Error(
            "EMAIL_HOST is not set, so no email (new requests, patients' acknowledgements) "
            "can be sent.",
            hint="Set EMAIL_HOST (and EMAIL_HOST_USER, EMAIL_HOST_PASSWORD) to your SMTP "
            "server, or choose EMAIL_BACKEND explicitly. The console backend prints every "
            "email, patients' addresses included, to the log.",
            id="clinic.E002",
        )
    ]
