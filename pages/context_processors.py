from django.conf import settings

from .models import Office

# The offices of the newest content version this worker has seen: one entry at most.
_offices_by_version: dict[str, list[Office]] = {}


def chrome_offices(request) -> list[Office]:
    """Offices for the header and footer; a page-cache miss reuses this worker's copy."""
    version = getattr(request, "content_version", None)
    if version is None:
        return list(Office.objects.all())
    offices = _offices_by_version.get(version)
    if offices is None:
        offices = list(Office.objects.all())
        _offices_by_version.clear()
        _offices_by_version[version] = offices
    return offices


def site_chrome(request):
    """Offices for the header phones and footer addresses on every page."""
    return {
        "site_name": settings.SITE_NAME,
        "chrome_offices": chrome_offices(request),
    }
