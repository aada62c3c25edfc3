import logging
import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.shortcuts import redirect
from django.template import loader
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import cache_control, never_cache
from django.views.static import serve

logger = logging.getLogger(__name__)


def database_is_down(error) -> bool:
    """True for "the database cannot be reached", as opposed to a bug in a query or schema."""
    if isinstance(error, InterfaceError):
        return True
    # SQLite reports a missing table or column as an OperationalError too; that is a bug.
    return isinstance(error, OperationalError) and not str(error).startswith("no such ")


# Built once: the floor of `make bench` is this constant response. Other languages' pages
# live under their prefix (/es/…), so their private pages are listed too.
_PREFIXES = [""] + [f"/{code}" for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
ROBOTS_TXT = "".join(
    ["User-agent: *\n", "Disallow: /admin/\n"]
    + [f"Disallow: {prefix}/consultation/thanks/\n" for prefix in _PREFIXES]
    + [f"Disallow: {prefix}/search/\n" for prefix in _PREFIXES]
    + [f"Sitemap: {settings.SITE_URL}/sitemap.xml\n"]
)


def robots_txt(request):
    """A constant robots.txt: keep crawlers out of admin and private pages, point to the sitemap."""
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")


@cache_control(public=True, max_age=86400)
def favicon(request):
    """/favicon.ico, for tools that ask for it there: the icon pages link to, from static."""
    # Not permanent: the static name carries a hash that changes with the icon.
    return redirect(static("icons/favicon.ico"))


# Renditions are named after a hash of their bytes (pages/images.py), so they never change.
RENDITION_CACHE = "public, max-age=31536000, immutable"
# Originals keep their upload name, which an editor may reuse; a day is short enough.
ORIGINAL_CACHE = "public, max-age=86400"


def media(request, path):
    """Uploaded images from MEDIA_ROOT (when no proxy serves them), with browser cache
    lifetimes; a name the file system refuses (too long, say) is simply not found."""
    try:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError:
        raise Http404("No such file.") from None
    if response.status_code in (200, 304):
        response["Cache-Control"] = (
            RENDITION_CACHE if path.startswith("renditions/") else ORIGINAL_CACHE
        )
    return response


@never_cache
def healthz(request):
    """200 "ok" when the database answers a query, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database did not answer")
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def office_contacts() -> list[dict]:
    """OFFICE_CONTACTS with each office named in the page's language when settings give it."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return [
        {**office, "name": office.get(f"name_{language}") or office["name"]}
        for office in settings.OFFICE_CONTACTS
    ]


def error_page_context() -> dict:
    """Context for error pages, from settings only, so they render when the database is down."""
    return {
        "site_name": settings.SITE_NAME,
        "chrome_offices": office_contacts(),
        "current_view_name": "",
    }


def service_unavailable(request=None):
    """503 in the site's layout with the offices' phone numbers, without touching the database."""
    try:
        html = loader.render_to_string("503.html", error_page_context())
    except Exception:
        # A template that needs the database must not turn this page into a stack trace.
        logger.exception("503 page could not be rendered; sending the plain version")
        phones = format_html_join(
            "", "<li>{}: <a href='tel:{}'>{}</a></li>", _office_phones(office_contacts())
        )
        html = format_html(
            "<!DOCTYPE html><html lang='{}'><title>{}</title>"
            "<h1>{}</h1><p>{}</p><ul>{}</ul></html>",
            get_language() or settings.LANGUAGE_CODE,
            gettext("Temporarily unavailable"),
            gettext("Our website is having a short break"),
            gettext("Please try again in a few minutes, or call us:"),
            phones,
        )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


def _office_phones(offices):
    return ((office["name"], office["phone"], office["phone_display"]) for office in offices)


def bad_request(request, exception):
    """400 in the site's layout for requests Django refuses (too many or too long fields)."""
    html = loader.render_to_string("400.html", error_page_context())
    return HttpResponseBadRequest(html)


def server_error(request):
    """500 page (or 503 if the database is down), rendered without touching the database."""
    if database_is_down(sys.exc_info()[1]):
        return service_unavailable(request)
    html = loader.render_to_string("500.html", error_page_context())
    return HttpResponseServerError(html)
