"""Full-page cache for anonymous GETs of the public content pages, shared by every worker and
server, and warmed after every content change so patients never wait for a render.

Each entry carries the content version it was rendered under. When a change to any model of a
PAGE_CACHE_APPS app commits, a new version is stored in the shared cache, so every worker on
every server stops using older entries at once; then one worker renders every page of the
sitemap again, in both languages. If the cache fails, pages are served uncached.
"""

import hashlib
import logging
import threading
import time
import uuid
from urllib.parse import parse_qsl, urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import get_max_age

logger = logging.getLogger(__name__)

VERSION_KEY = "page-cache:version"
# Ad-campaign and click ids that never change a page: such requests get the plain page.
TRACKING_PARAMS = ("utm_", "gclid", "fbclid", "msclkid")
MESSAGES_COOKIE = "messages"
NO_STORE_DIRECTIVES = ("private", "no-store", "no-cache")


def page_cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def release_id() -> str:
    """What identifies this deployment's templates and static files, so releases never mix."""
    manifest_hash = getattr(staticfiles_storage, "manifest_hash", "")
    return f"{settings.PAGE_CACHE_RELEASE}:{manifest_hash}"


def bump_content_version() -> str | None:
    """Start a new content version: every page cached before is rendered afresh."""
    version = uuid.uuid4().hex
    try:
        page_cache().set(VERSION_KEY, version, timeout=None)
    except Exception as error:
        logger.error(
            "page cache: could not store a new content version (%s); pages cached before "
            "may be served for up to %s s",
            type(error).__name__,
            settings.PAGE_CACHE_TIMEOUT,
        )
        return None
    return version


def content_changed(sender, **kwargs):
    """Signal receiver: once the change commits, cached pages are stale; warm new ones."""
    if kwargs.get("action", "post_").startswith("pre_"):
        return
    # After commit, so no render of the old data can be stored under the new version.
    transaction.on_commit(new_content_version, using=kwargs.get("using"))


def new_content_version() -> None:
    version = bump_content_version()
    if version and settings.PAGE_CACHE_ENABLED and settings.PAGE_CACHE_WARM:
        start_warming()


def connect_invalidation() -> None:
    """Connect content_changed to every model (and m2m table) of the PAGE_CACHE_APPS apps."""
    for label in settings.PAGE_CACHE_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            uid = f"page-cache:{model._meta.label}"
            post_save.connect(content_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(content_changed, sender=model, dispatch_uid=uid)
            m2m_changed.connect(content_changed, sender=model, dispatch_uid=uid)


class PageCacheMiddleware:
    """Serve and store whole pages; put it early, so a hit skips sessions, auth and the view."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.release = release_id()
        # After a cache error, this worker leaves the cache alone until then (no slow retries).
        self.retry_at = 0.0

    def __call__(self, request):
        key = self.key_for(request)
        if key is None:
            return self.get_response(request)
        cache = page_cache()
        try:
            found = cache.get_many([VERSION_KEY, key])  # one round trip
            version, entry = found.get(VERSION_KEY), found.get(key)
            if version is None:
                cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
                version = cache.get(VERSION_KEY)
        except Exception as error:
            self.cache_failed(error)
            request.page_cache = "off"
            return self.get_response(request)
        if entry is not None and entry[0] == version:
            request.page_cache = "hit"
            return HttpResponse(entry[2], headers=entry[1])
        request.page_cache = "miss"
        # The plain page, whatever tracking parameters came with this request: what is stored
        # must be the same whoever asked first.
        request.META["QUERY_STRING"] = ""
        response = self.get_response(request)
        if self.storable(response):
            # Stored under the version read before rendering: a change committed during the
            # render bumps the version, so this entry can never hide it.
            entry = (version, dict(response.items()), response.content)
            try:
                cache.set(key, entry, settings.PAGE_CACHE_TIMEOUT)
            except Exception as error:
                self.cache_failed(error)
        return response

    def key_for(self, request) -> str | None:
        """The cache key for this request, or None if it must not be served from the cache."""
        if request.method != "GET" or not settings.PAGE_CACHE_ENABLED:
            return None
        if time.monotonic() < self.retry_at:
            request.page_cache = "off"
            return None
        cookies = request.COOKIES
        if (
            settings.SESSION_COOKIE_NAME in cookies
            or MESSAGES_COOKIE in cookies
            or "HTTP_AUTHORIZATION" in request.META
        ):
            return None
        query = request.META.get("QUERY_STRING", "")
        if any(
            not name.startswith(TRACKING_PARAMS)
            for name, _ in parse_qsl(query, keep_blank_values=True)
        ):
            return None
        # As LocaleMiddleware will (it runs later): the path's prefix names the language.
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        try:
            with translation.override(language):
                namespace = resolve(request.path_info).namespace
            request.get_host()  # a host outside ALLOWED_HOSTS gets Django's 400, never a page
        except (Resolver404, DisallowedHost):
            return None
        if namespace not in settings.PAGE_CACHE_NAMESPACES:
            return None
        # Keyed by the canonical site, never the Host header (any port or spelling would make
        # a new entry); by date, so pages scheduled for today appear after midnight.
        parts = [self.release, settings.SITE_URL, str(timezone.localdate()), request.path]
        digest = hashlib.md5("\n".join(parts).encode(), usedforsecurity=False).hexdigest()
        return f"page:{digest}"

    @staticmethod
    def storable(response) -> bool:
        """Only plain 200 pages that set no cookie (a CSRF token sets one) and allow caching."""
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not any(directive in cache_control for directive in NO_STORE_DIRECTIVES)
            and get_max_age(response) != 0
        )

    def cache_failed(self, error) -> None:
        self.retry_at = time.monotonic() + settings.PAGE_CACHE_RETRY_SECONDS
        logger.warning(
            "page cache unavailable (%s: %s); serving pages without it for %s s",
            type(error).__name__,
            str(error).splitlines()[0] if str(error) else "",
            settings.PAGE_CACHE_RETRY_SECONDS,
        )


# --- Warming: every public page rendered into the cache before a patient asks for it.


def sitemap_paths() -> list[str]:
    """The path of every page in the sitemap, in every language."""
    from seo.sitemaps import SITEMAPS

    paths = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for sitemap_class in SITEMAPS.values():
                sitemap = sitemap_class()
                paths += [sitemap.location(item) for item in sitemap.items()]
    return paths


WARMING_LOCK = "page-cache:warming"
WARMING_LOCK_SECONDS = 300  # freed sooner when done; expires if the worker dies mid-way


def start_warming() -> threading.Thread | None:
    """Warm in a thread of this worker, unless another worker is warming already.

    The editor's save returns at once. A change committed while warming goes on is picked up
    by the running warmer, so only one worker renders pages at a time. Not a daemon thread:
    a process that ends (a management command, a recycled worker) finishes warming first and
    closes its database connections cleanly.
    """
    if not _claim_warming():
        return None
    thread = threading.Thread(target=_warm_in_background, name="page-cache-warming")
    thread.start()
    return thread


def _claim_warming() -> bool:
    try:
        return page_cache().add(WARMING_LOCK, 1, timeout=WARMING_LOCK_SECONDS)
    except Exception as error:
        logger.warning("page cache: not warming (%s)", type(error).__name__)
        return False


def _warm_in_background() -> None:
    try:
        while True:
            warmed_version = warm_current_version()
            page_cache().delete(WARMING_LOCK)
            # A change that committed just before the lock was freed found it taken: look again.
            if page_cache().get(VERSION_KEY) == warmed_version or not _claim_warming():
                break
    except Exception:
        logger.exception("page cache: warming failed; pages will be rendered on first request")
    finally:
        connections.close_all()  # this thread's own connections


def warm_current_version() -> str | None:
    """Warm until a whole pass ran under one content version; return that version."""
    while True:
        version = page_cache().get(VERSION_KEY)
        if warm_pages(version=version) is not None:
            return version


def warm_pages(*, version: str | None = None) -> tuple[int, int] | None:
    """GET every sitemap page through the site itself, so the page cache stores it.

    Returns (pages that answered 200, pages that did not), or None if a newer content version
    appeared on the way (the pass is then stale and should start again).
    """
    from django.test import Client  # a request through every middleware, as a browser's

    site = urlsplit(settings.SITE_URL)
    secure = site.scheme == "https"
    headers = {"HTTP_HOST": site.netloc}
    if secure and settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        headers[header] = value  # as the TLS proxy would say it
    browser = Client(**headers)
    warmed = failed = 0
    for path in sitemap_paths():
        if version is not None and page_cache().get(VERSION_KEY) != version:
            return None
        status = browser.get(path, secure=secure).status_code
        if status == 200:
            warmed += 1
        else:
            failed += 1
            logger.warning("page cache: warming %s answered %s", path, status)
    logger.info("page cache: warmed %s pages (%s failed)", warmed, failed)
    return warmed, failed
