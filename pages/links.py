"""Links to the consultation form, with a treatment or an office chosen in advance."""

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

# Until the bookings app routes its form, link to the address it will have.
FALLBACK_CONSULTATION_PATH = "/consultation/"


def consultation_url(**params) -> str:
    """The consultation request form, preselecting e.g. treatment=<slug> or office=<slug>."""
    try:
        path = reverse("bookings:request")
    except NoReverseMatch:
        path = FALLBACK_CONSULTATION_PATH
    query = urlencode({key: value for key, value in params.items() if value})
    return f"{path}?{query}" if query else path
