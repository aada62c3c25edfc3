from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def consultation_url(**params) -> str:
    """The consultation request form, preselecting e.g. treatment=<slug> or office=<slug>."""
    path = reverse("bookings:request")
    query = urlencode({key: value for key, value in params.items() if value})
    return f"{path}?{query}" if query else path
