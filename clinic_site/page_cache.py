"""Full-page cache for anonymous GETs of public content pages, shared by every worker and server.

Each entry carries the content version it was rendered under. Saving or deleting any model of a
PAGE_CACHE_APPS app stores a new version in the shared cache, so every worker on every app
server stops using older entries at once. Every request reads that version from the shared
cache; the entries themselves are also kept in each worker, so a hit moves a few bytes, not the
page. If the cache backend fails, pages are served uncached.
"""

import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from functools import lru_cache
from urllib.parse import parse_qsl

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import get_max_age
from django.utils.translation import get_language_from_path

logger = logging.getLogger(__name__)

VERSION_KEY = "page-cache:version"
# Ad-campaign and click ids that never change a page, so they share its cache entry.
TRACKING_PARAMS = ("utm_", "gclid", "fbclid", "msclkid")
MESSAGES_COOKIE = "messages"
NO_STORE_DIRECTIVES = ("private", "no-store", "no-cache")
_UNREAD = object()


def page_cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def release_id() -> str:
    """What identifies this deployment's templates and static files, so releases never mix."""
    manifest_hash = getattr(staticfiles_storage, "manifest_hash", "")
    return f"{settings.PAGE_CACHE_RELEASE}:{manifest_hash}"


def bump_content_version() -> None:
    """Start a new content version: every page cached before is rendered afresh."""
    try:
        page_cache().set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception as error:
        logger.error(
            "page cache: could not store a new content version (%s); pages cached before "
            "may be served for up to %s s",
            type(error).__name__,
            settings.PAGE_CACHE_TIMEOUT,
        )


def content_changed(sender, **kwargs):
    """Signal receiver: content changed, so cached pages are stale now and after the commit."""
    if kwargs.get("action", "post_").startswith("pre_"):
        return
    # Now, so later reads in this transaction miss; after commit, so no render of the old
    # data can be stored under the version readers use from then on.
    bump_content_version()
    transaction.on_commit(bump_content_version, using=kwargs.get("using"))


def connect_invalidation() -> None:
    """Connect content_changed to every model (and m2m table) of the PAGE_CACHE_APPS apps."""
    for label in settings.PAGE_CACHE_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            uid = f"page-cache:{model._meta.label}"
            post_save.connect(content_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(content_changed, sender=model, dispatch_uid=uid)
            m2m_changed.connect(content_changed, sender=model, dispatch_uid=uid)


@lru_cache(maxsize=4096)
def url_namespace(urlconf: str, path_info: str, language: str) -> str | None:
    """The URL namespace of a path in a language, or None for a 404 (URLconfs never change)."""
    try:
        with translation.override(language):
            return resolve(path_info, urlconf).namespace
    except Resolver404:
        return None


class PageCacheMiddleware:
    """Serve and store whole pages; put it early, so a hit skips sessions, auth and the view."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.release = release_id()
        # After a cache error, this worker leaves the cache alone until then (no slow retries).
        self.retry_at = 0.0
        # Recent entries kept in this worker too: a hit then reads only the small version key.
        self.local = OrderedDict()
        self.local_lock = threading.Lock()

    def __call__(self, request):
        key = self.key_for(request)
        if key is None:
            return self.get_response(request)
        cache = page_cache()
        try:
            kept_here = self.has_local(key)
            if kept_here:
                version, shared = cache.get(VERSION_KEY), _UNREAD
            else:
                # Nothing in this worker: the version and the shared entry in one round trip.
                found = cache.get_many([VERSION_KEY, key])
                version, shared = found.get(VERSION_KEY), found.get(key)
            if version is None:
                cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
                version = cache.get(VERSION_KEY)
            entry = self.recall(key, version) if kept_here else None
            if entry is None:
                entry = cache.get(key) if shared is _UNREAD else shared
                if entry is not None and entry[0] == version:
                    self.remember(key, entry)
        except Exception as error:
            self.cache_failed(error)
            request.page_cache = "off"
            return self.get_response(request)
        if entry is not None and entry[0] == version:
            request.page_cache = "hit"
            return HttpResponse(entry[2], headers=entry[1])
        request.page_cache = "miss"
        # Views may key their own small per-worker memos on it (see pages.context_processors).
        request.content_version = version
        response = self.get_response(request)
        if self.storable(request, response):
            # Stored under the version read before rendering: an edit during the render
            # bumps the version, so this entry can never hide the edit.
            entry = (version, dict(response.items()), response.content)
            try:
                cache.set(key, entry, settings.PAGE_CACHE_TIMEOUT)
            except Exception as error:
                self.cache_failed(error)
            else:
                self.remember(key, entry)
        return response

    def has_local(self, key) -> bool:
        with self.local_lock:
            return key in self.local

    def recall(self, key, version):
        """This worker's copy of an entry, if it is of the current version and not too old."""
        with self.local_lock:
            found = self.local.get(key)
            if found is None:
                return None
            stored_at, entry = found
            if entry[0] != version or time.monotonic() - stored_at > settings.PAGE_CACHE_TIMEOUT:
                del self.local[key]
                return None
            self.local.move_to_end(key)
            return entry

    def remember(self, key, entry) -> None:
        with self.local_lock:
            self.local[key] = (time.monotonic(), entry)
            self.local.move_to_end(key)
            while len(self.local) > settings.PAGE_CACHE_LOCAL_ENTRIES:
                self.local.popitem(last=False)

    def key_for(self, request) -> str | None:
        """The cache key for this request, or None if it must not be served from the cache."""
        if request.method != "GET" or not settings.PAGE_CACHE_ENABLED:
            return None
        cookies = request.COOKIES
        if (
            settings.SESSION_COOKIE_NAME in cookies
            or MESSAGES_COOKIE in cookies
            or "HTTP_AUTHORIZATION" in request.META
        ):
            return None
        query = request.META.get("QUERY_STRING", "")
        if query and any(
            not name.startswith(TRACKING_PARAMS)
            for name, _ in parse_qsl(query, keep_blank_values=True)
        ):
            return None
        # As LocaleMiddleware will (it runs later): the path's prefix names the language.
        language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        if (
            url_namespace(urlconf, request.path_info, language)
            not in settings.PAGE_CACHE_NAMESPACES
        ):
            return None
        try:
            host = request.get_host()
        except DisallowedHost:
            return None  # Django answers it with a 400
        if time.monotonic() < self.retry_at:
            request.page_cache = "off"
            return None
        # The date is part of the key: pages scheduled to publish today appear after midnight.
        parts = [
            self.release,
            str(timezone.localdate()),
            request.scheme,
            host,
            request.path,
            language,
        ]
        digest = hashlib.md5("\n".join(parts).encode(), usedforsecurity=False).hexdigest()
        return f"page:{digest}"

    @staticmethod
    def storable(request, response) -> bool:
        """Only plain 200 pages that set no cookie, used no CSRF token and allow caching."""
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
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
