"""Request logging with ids, request body limits, security headers and the database-down page."""

import logging
import re
import time
import uuid
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation

from .logs import request_id_var
from .views import bad_request, database_is_down, service_unavailable

request_logger = logging.getLogger("clinic_site.requests")
logger = logging.getLogger(__name__)

# An id a trusted proxy may pass on; anything else is replaced, so logs cannot be forged.
INCOMING_ID_RE = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Characters kept as they are when a path is logged; the rest is %-escaped (no forged lines).
PATH_SAFE = "/:@!$&'()*+,;=-._~"
MAX_LOGGED_PATH = 300
# Beyond this a refused body is not even read; the client just sees the connection close.
DISCARD_AT_MOST = 32 * 1024 * 1024


class RequestLogMiddleware:
    """One log line per request (method, path without query string, status, time) with an id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = self.incoming_id(request) or uuid.uuid4().hex
        request.request_id = request_id
        # Cleared on request_finished, so Django's own error lines after this one keep the id.
        request_id_var.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        request_logger.info(
            "%s %s %s %.1fms%s",
            request.method,
            loggable_path(request.path),
            response.status_code,
            (time.perf_counter() - started) * 1000,
            f" cache={request.page_cache}" if hasattr(request, "page_cache") else "",
        )
        return response

    @staticmethod
    def incoming_id(request) -> str:
        if settings.TRUSTED_PROXY_COUNT <= 0:
            return ""
        candidate = request.META.get("HTTP_X_REQUEST_ID", "")
        return candidate if INCOMING_ID_RE.fullmatch(candidate) else ""


def loggable_path(path: str) -> str:
    """The path %-escaped (no forged lines) and cut short (a 10,000-character path is noise)."""
    escaped = quote(path, safe=PATH_SAFE)
    return escaped if len(escaped) <= MAX_LOGGED_PATH else escaped[:MAX_LOGGED_PATH] + "…"


class RequestBodyLimitMiddleware:
    """413 before reading a body over MAX_REQUEST_BODY_BYTES; any other is read to its end."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(
                "The request's length header is not a number.",
                status=400,
                content_type="text/plain",
            )
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length > limit:
            logger.warning("request body of %d bytes refused (limit %d)", length, limit)
            self.discard_body(request, min(length, DISCARD_AT_MOST))
            response = HttpResponse(
                f"What you sent is too large for us to accept (the limit is "
                f"{limit // (1024 * 1024)} MB). Please send less and try again, or call us.",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
            return response
        response = self.get_response(request)
        # Refused before its body was read (no CSRF cookie, say), a large body would be left
        # unread: gunicorn closes the connection on it, and nginx, still sending, sees a reset
        # and answers 502 instead of passing our answer on.
        self.read_to_the_end(request)
        return response

    @staticmethod
    def read_to_the_end(request) -> None:
        """Read what is left of a body (at most MAX_REQUEST_BODY_BYTES); none left costs nothing."""
        try:
            while request.read(64 * 1024):
                pass
        except OSError:
            pass  # the client went away: there is no one left to answer

    @staticmethod
    def discard_body(request, length) -> None:
        """Read and drop the body, so the client sees our answer instead of a reset connection."""
        stream = request.META["wsgi.input"]
        while length > 0:
            chunk = stream.read(min(64 * 1024, length))
            if not chunk:
                return
            length -= len(chunk)


class RejectNulBytesMiddleware:
    """400 for a NUL byte in the path or the query string, before anything looks it up.

    No page has one, and PostgreSQL refuses NUL in text: a lookup with it would be a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            with translation.override(
                translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
            ):
                return bad_request(request, None)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Turn off browser features the site never uses (camera, microphone, location, payment…)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class DatabaseUnavailableMiddleware:
    """503 in the site's layout, with phone numbers from settings, when the database is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_is_down(exception):
            first_line = (str(exception).strip().splitlines() or [""])[0]
            logger.error("database unavailable (%s): %s", type(exception).__name__, first_line)
            return service_unavailable(request)
        return None
