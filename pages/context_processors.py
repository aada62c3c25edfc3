import logging

from django.conf import settings

from clinic_site.page_cache import VERSION_KEY, page_cache

from .models import Office

logger = logging.getLogger(__name__)

# The offices of the newest content version this worker has seen: one entry at most.
_offices_by_version: dict[str, list[Office]] = {}


def chrome_offices(request) -> list[Office]:
    """Offices for the header and footer; a page-cache miss reuses this worker's copy."""
    version = getattr(request, "content_version", None) or _shared_content_version()
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


def _shared_content_version() -> str | None:
    """The content version for pages the page cache does not keep (the form, search results)."""
    if not settings.PAGE_CACHE_ENABLED:
        return None  # nothing bumps a version anyone reads: read the offices each time
    try:
        return page_cache().get(VERSION_KEY)
    except Exception as error:
        logger.warning("content version unavailable (%s); reading offices", type(error).__name__)
        return None
