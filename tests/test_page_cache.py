"""The full-page cache: what it keeps, for whom, and how an editor's save reaches every worker."""

import contextlib
import logging
import threading
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client

from clinic_site.page_cache import VERSION_KEY, PageCacheMiddleware
from pages.models import Condition, Office, Physician, SitePage, Treatment

# Headers that differ between any two responses, cached or not.
PER_REQUEST_HEADERS = {"X-Request-ID"}


@pytest.fixture
def page_cache_on(settings, db):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_RETRY_SECONDS = 60
    # Transactional tests commit to the cache table, which no flush empties.
    caches["default"].clear()


@pytest.fixture
def encino(offices):
    return Office.objects.get(slug="encino")


def rename_behind_the_cache(office, name):
    """Change the database without sending signals, as if another process had cached the page."""
    Office.objects.filter(pk=office.pk).update(name=name)


def comparable(response):
    headers = {k: v for k, v in response.items() if k not in PER_REQUEST_HEADERS}
    return response.status_code, headers, response.content


@pytest.fixture
def demo_content(db):
    call_command("load_demo_content", verbosity=0)


def public_pages() -> list[str]:
    """Every kind of content page, in English and Spanish."""
    treatment = Treatment.objects.published().first()
    pages = ["/", "/treatments/", treatment.get_absolute_url(), "/conditions/", "/locations/"]
    pages += [model.objects.first().get_absolute_url() for model in (Condition, Office)]
    pages += [model.objects.first().get_absolute_url() for model in (Physician, SitePage)]
    return pages + ["/es" + path for path in pages]


def test_a_cached_page_is_byte_identical_to_a_fresh_one(
    client, settings, page_cache_on, demo_content
):
    paths = public_pages()
    first = {path: comparable(client.get(path)) for path in paths}
    cached = {path: comparable(client.get(path)) for path in paths}
    settings.PAGE_CACHE_ENABLED = False
    fresh = {path: comparable(Client().get(path)) for path in paths}
    for path in paths:
        assert first[path][0] == 200
        assert cached[path] == first[path] == fresh[path], path


def test_anonymous_visitors_get_the_cached_page(client, page_cache_on, encino):
    url = encino.get_absolute_url()
    assert "Encino" in client.get(url).content.decode()
    rename_behind_the_cache(encino, "Valley Office")
    assert "Valley Office" not in client.get(url).content.decode()


def test_each_language_has_its_own_cached_page_whatever_came_before(client, page_cache_on, encino):
    english, spanish = "/locations/encino/", "/es/locations/encino/"
    for path in (english, spanish, english):
        client.get(path)
    rename_behind_the_cache(encino, "Valley Office")
    for path in (spanish, english, spanish):
        response = client.get(path)
        assert "Valley Office" not in response.content.decode(), path
        assert response["Content-Language"] == ("es" if path == spanish else "en")


def test_an_editors_save_shows_on_the_next_request(
    client, page_cache_on, encino, django_capture_on_commit_callbacks
):
    url = encino.get_absolute_url()
    client.get(url)
    encino.name = "Valley Office"
    with django_capture_on_commit_callbacks(execute=True):
        encino.save()
    assert "Valley Office" in client.get(url).content.decode()


def test_deleting_content_invalidates_the_cached_page(
    client, page_cache_on, encino, django_capture_on_commit_callbacks
):
    url = encino.get_absolute_url()
    assert "Please call for opening hours" not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        for slot in encino.hours.all():
            slot.delete()
    assert "Please call for opening hours" in client.get(url).content.decode()


@pytest.mark.django_db
def test_any_model_of_the_pages_app_bumps_the_version_including_m2m_changes(
    page_cache_on, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_WARM = False
    cache = caches["default"]
    versions = [cache.get(VERSION_KEY)]

    def committed(change):
        with django_capture_on_commit_callbacks(execute=True):
            result = change()
        versions.append(cache.get(VERSION_KEY))
        return result

    condition = committed(
        lambda: Condition.objects.create(name="Knee arthritis", slug="knee-arthritis")
    )
    treatment = committed(
        lambda: Treatment.objects.create(title="PRP", slug="prp", summary="Plain words.")
    )
    committed(lambda: treatment.conditions.add(condition))
    assert len(set(versions)) == len(versions), versions


@pytest.mark.django_db
def test_a_change_is_not_seen_by_the_cache_until_it_commits(page_cache_on):
    cache = caches["default"]
    before = cache.get(VERSION_KEY)
    Condition.objects.create(name="Knee arthritis", slug="knee-arthritis")  # not committed
    assert cache.get(VERSION_KEY) == before


def test_a_new_version_stored_by_another_server_is_seen_at_once(client, page_cache_on, encino):
    url = encino.get_absolute_url()
    client.get(url)
    rename_behind_the_cache(encino, "Valley Office")
    caches["default"].set(VERSION_KEY, "set-by-another-server")
    assert "Valley Office" in client.get(url).content.decode()


def test_logged_in_staff_never_get_the_cached_page(client, admin_client, page_cache_on, encino):
    url = encino.get_absolute_url()
    client.get(url)
    rename_behind_the_cache(encino, "Valley Office")
    assert "Valley Office" in admin_client.get(url).content.decode()


def test_tracking_parameters_share_the_cached_page_and_other_queries_skip_it(
    client, page_cache_on, encino
):
    url = encino.get_absolute_url()
    client.get(url)
    rename_behind_the_cache(encino, "Valley Office")
    assert "Valley Office" not in client.get(url + "?utm_source=tv&gclid=x").content.decode()
    assert "Valley Office" in client.get(url + "?page=2").content.decode()


def test_pages_outside_the_content_app_are_not_cached(client, page_cache_on, offices):
    # The 404 page lists the office phones, but a 404 must never be kept.
    client.get("/no-such-page/")
    # update() sends no signal, so only a render (not a stored copy) can show the new phone.
    Office.objects.filter(slug="encino").update(phone="+18185550199")
    assert "(818) 555-0199" in client.get("/no-such-page/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "view",
    [
        pytest.param(lambda request: _with_cookie(HttpResponse("x")), id="sets-cookie"),
        pytest.param(lambda request: _no_store(HttpResponse("x")), id="never-cache"),
        pytest.param(lambda request: HttpResponse("x", status=302), id="redirect"),
    ],
)
def test_responses_that_are_personal_or_not_plain_pages_are_rendered_every_time(
    rf, page_cache_on, view
):
    calls = []

    def counting_view(request):
        calls.append(request)
        return view(request)

    middleware = PageCacheMiddleware(counting_view)
    for _ in range(2):
        middleware(rf.get("/"))
    assert len(calls) == 2


@pytest.mark.django_db
def test_a_plain_page_is_rendered_once(rf, page_cache_on):
    calls = []

    def counting_view(request):
        calls.append(request)
        return HttpResponse("hello")

    middleware = PageCacheMiddleware(counting_view)
    responses = [middleware(rf.get("/")) for _ in range(3)]
    assert len(calls) == 1
    assert [r.content for r in responses] == [b"hello"] * 3


@contextlib.contextmanager
def broken(cache):
    """Every read from the cache backend fails, as when Redis refuses connections."""
    refused = ConnectionError("refused")
    with (
        mock.patch.object(type(cache), "get", side_effect=refused),
        mock.patch.object(type(cache), "get_many", side_effect=refused),
    ):
        yield


def test_a_broken_cache_backend_means_no_cache_not_an_error(client, page_cache_on, encino, caplog):
    url = encino.get_absolute_url()
    cache = caches["default"]
    with broken(cache):
        with caplog.at_level(logging.WARNING, logger="clinic_site.page_cache"):
            response = client.get(url)
    assert response.status_code == 200
    assert "Encino" in response.content.decode()
    assert "page cache unavailable" in caplog.text


def test_after_a_cache_error_the_worker_retries_later_and_caching_resumes(
    client, settings, page_cache_on, encino
):
    settings.PAGE_CACHE_RETRY_SECONDS = 0
    url = encino.get_absolute_url()
    cache = caches["default"]
    with broken(cache):
        client.get(url)
    client.get(url)
    rename_behind_the_cache(encino, "Valley Office")
    assert "Valley Office" not in client.get(url).content.decode()


def _with_cookie(response):
    response.set_cookie("seen", "1")
    return response


def _no_store(response):
    response["Cache-Control"] = "no-cache, no-store, must-revalidate, private"
    return response


@pytest.mark.django_db(transaction=True)
def test_after_an_editors_save_every_sitemap_page_is_served_from_the_cache(
    client, settings, caplog
):
    from clinic_site.page_cache import sitemap_paths

    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_WARM = False
    caches["default"].clear()
    call_command("load_demo_content", verbosity=0)
    settings.PAGE_CACHE_WARM = True

    treatment = Treatment.objects.get(slug="stem-cell-therapy")
    treatment.summary = "A new summary an editor just saved."
    treatment.save()
    # The save returned before warming finished; wait for it (threads end on their own).
    for thread in threading.enumerate():
        if thread.name == "page-cache-warming":
            thread.join(timeout=30)

    paths = sitemap_paths()
    assert len(paths) > 40 and "/es/treatments/stem-cell-therapy/" in paths
    with caplog.at_level(logging.INFO, logger="clinic_site.requests"):
        for path in paths:
            response = Client().get(path)
            assert response.status_code == 200, path
    # caplog holds the warming thread's lines too: only the patients' requests count.
    served = [
        r.getMessage() for r in caplog.records if r.threadName == threading.main_thread().name
    ]
    assert len(served) == len(paths)
    misses = [line for line in served if "cache=hit" not in line]
    assert misses == [], misses
    page = Client().get(treatment.get_absolute_url()).content.decode()
    assert "A new summary an editor just saved." in page
    caches["default"].clear()


def test_the_host_header_never_makes_a_new_cache_entry(client, settings, page_cache_on, encino):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    url = encino.get_absolute_url()
    client.get(url)
    rename_behind_the_cache(encino, "Valley Office")
    for host in ("127.0.0.1:8001", "127.0.0.1:8002", "LOCALHOST", "localhost.", "localhost:1"):
        response = client.get(url, headers={"host": host})
        assert response.status_code == 200, host
        assert "Valley Office" not in response.content.decode(), host


def test_a_cached_page_carries_no_visitors_query_string(client, page_cache_on, encino):
    client.get("/locations/?utm_campaign=spring-offer&utm_source=mail")
    later = Client().get("/locations/").content.decode()
    assert "utm_" not in later and "spring-offer" not in later
