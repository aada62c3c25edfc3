"""What a patient notices on the server-rendered pages: the time-to-relief heading, the privacy
link by the consent, office directions and physicians, search for offices and physicians,
the favicon, the picture shared links show, and how long browsers may keep images."""

import hashlib
import io
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image

from pages.drafts import publish
from pages.images import make_renditions
from pages.models import Office, OpeningHours, Physician
from search.indexing import rebuild_index
from search.models import SearchDocument
from tests.factories import make_physician, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(offices, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo_content", verbosity=0)
    rebuild_index()


def html_of(client, path, status=200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.content.decode()


# --- Time to relief has a heading and a contents entry ----------------------------------------


@pytest.mark.parametrize(
    ("path", "heading", "text"),
    [
        ("/treatments/stem-cell-therapy/", "When you may feel better", "a few weeks"),
        ("/es/treatments/stem-cell-therapy/", "Cuándo podría sentirse mejor", "unas semanas"),
        ("/treatments/platelet-rich-plasma/", "When you may feel better", "after a few weeks"),
        ("/es/treatments/platelet-rich-plasma/", "Cuándo podría sentirse mejor", "unas semanas"),
    ],
)
def test_time_to_relief_has_its_own_heading_and_contents_entry(client, demo, path, heading, text):
    html = html_of(client, path)
    start = html.index('id="on-this-page"')
    contents = html[start : html.index("</nav>", start)]
    language = "es" if path.startswith("/es/") else "en"
    assert f'<a href="#when-you-may-feel-better" lang="{language}">{heading}</a>' in contents
    section = html[html.index('<h2 id="when-you-may-feel-better"') :]
    section = section[: section.index("</section>")]
    assert heading in section and text in section
    recovery = html[html.index('<h2 id="recovery"') :]
    assert text not in recovery[: recovery.index("</section>")]


# --- The privacy notice next to the consent ---------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "words"), [("", "privacy notice"), ("/es", "aviso de privacidad")]
)
def test_the_consent_links_to_the_privacy_notice_in_the_page_language(
    client, offices, prefix, words
):
    html = html_of(client, f"{prefix}/consultation/")
    checkbox = re.search(r'<input[^>]*name="consent_to_contact"[^>]*>', html).group(0)
    assert 'aria-describedby="id_consent_to_contact_helptext"' in checkbox
    help_text = html[html.index('id="id_consent_to_contact_helptext"') :][:300]
    assert f'<a href="{prefix}/privacy/">{words}</a>' in help_text
    assert "target=" not in help_text  # a normal link


# --- Office pages: directions and physicians --------------------------------------------------


def test_office_page_links_to_directions_without_loading_any_map(client, demo):
    html = html_of(client, "/locations/encino/")
    link = re.search(r'<a href="([^"]+)" rel="noreferrer">Get directions on Google Maps', html)
    assert link, "no directions link"
    url = urlparse(link.group(1).replace("&amp;", "&"))
    assert (url.scheme, url.netloc, url.path) == ("https", "www.google.com", "/maps/search/")
    assert parse_qs(url.query) == {
        "api": ["1"],
        "query": ["16500 Ventura Boulevard, Suite 220, Encino, CA 91436"],
    }
    assert "(leaves this site)" in html
    # Nothing from the maps site is embedded: no frame, script or picture from it.
    assert "<iframe" not in html and 'src="https://www.google' not in html
    spanish = html_of(client, "/es/locations/encino/")
    assert "Ver cómo llegar en Google Maps (sale de este sitio)" in spanish


@pytest.mark.parametrize(
    ("path", "heading", "name"),
    [
        ("/locations/encino/", "Physicians who see patients here", "Dr. Helen Amari"),
        ("/locations/los-angeles/", "Physicians who see patients here", "Dr. Helen Amari"),
        ("/es/locations/encino/", "Médicos que atienden en este consultorio", "Dra. Helen Amari"),
    ],
)
def test_office_page_lists_the_physicians_who_see_patients_there(client, demo, path, heading, name):
    html = html_of(client, path)
    assert heading in html
    prefix = "/es" if path.startswith("/es/") else ""
    assert f'<a href="{prefix}/physicians/helen-amari/">{name}</a>' in html


def test_an_office_without_physicians_shows_no_empty_list(client, offices):
    html = html_of(client, "/locations/encino/")
    assert "Physicians who see patients here" not in html


def test_staff_choose_a_physicians_offices_in_admin(client, offices, django_user_model):
    physician = make_physician()
    sign_in(client, django_user_model.objects.create_superuser("boss", "b@example.org", "x"))
    url = reverse("admin:pages_physician_change", args=[physician.pk])
    form = html_of(client, url)
    encino = Office.objects.get(slug="encino")
    assert f'type="checkbox" name="offices" value="{encino.pk}"' in form
    data = {
        "name": physician.name,
        "slug": physician.slug,
        "honorific_en": "Dr.",
        "offices": [encino.pk],
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    # A live profile changes through a draft that a reviewer publishes (pages/drafts.py).
    physician.refresh_from_db()
    assert list(physician.draft.offices.all()) == [encino]
    assert list(physician.offices.all()) == []
    publish(draft=physician.draft)
    assert list(physician.offices.all()) == [encino]
    assert physician.display_name in html_of(Client(), "/locations/encino/")
    assert physician.display_name not in html_of(Client(), "/locations/los-angeles/")


# --- Search finds offices and physicians (SQLite and PostgreSQL) ------------------------------


def first_result(client, query, prefix="") -> tuple[str, str]:
    response = client.get(f"{prefix}/search/", {"q": query})
    assert response.status_code == 200
    documents = response.context["results"].documents
    assert documents, f"{query!r} found nothing"
    return documents[0].title, documents[0].url


@pytest.mark.parametrize(
    ("prefix", "query", "title", "url"),
    [
        ("", "encino hours", "Encino office", "/locations/encino/"),
        ("", "Dr Amari", "Dr. Helen Amari", "/physicians/helen-amari/"),
        ("/es", "horario Encino", "Consultorio de Encino", "/es/locations/encino/"),
        ("/es", "Dra. Amari", "Dra. Helen Amari", "/es/physicians/helen-amari/"),
    ],
)
def test_search_finds_offices_and_physicians(client, demo, prefix, query, title, url):
    assert first_result(client, query, prefix) == (title, url)


def test_search_results_say_what_kind_of_page_each_is(client, demo):
    html = html_of(client, "/search/?q=encino+hours")
    assert "Office" in html
    html = html_of(client, "/es/search/?q=Dra.+Amari")
    assert "Médico" in html


def test_the_office_index_follows_edits_to_offices_hours_and_physicians(
    client, offices, django_capture_on_commit_callbacks
):
    encino = Office.objects.get(slug="encino")
    with django_capture_on_commit_callbacks(execute=True):
        encino.name_en = "Encino Valley"
        encino.save()
        OpeningHours.objects.filter(office=encino).delete()
        OpeningHours.objects.create(office=encino, weekday=5, opens="09:00", closes="12:00")
        physician = make_physician(name="Rosa Ibarra", slug="rosa-ibarra")
        encino.physicians.add(physician)
    assert first_result(client, "valley saturday") == ("Encino Valley office", "/locations/encino/")
    assert first_result(client, "Ibarra encino")[1] == "/physicians/rosa-ibarra/"
    with django_capture_on_commit_callbacks(execute=True):
        physician.offices.clear()
    # (PostgreSQL ranks partial matches too, so look at what the index holds.)
    document = SearchDocument.objects.get(physician=physician, language="en")
    assert "Encino" not in document.body
    with django_capture_on_commit_callbacks(execute=True):
        physician.delete()
    assert not SearchDocument.objects.filter(title__contains="Ibarra").exists()
    response = client.get("/search/", {"q": "Ibarra"})
    assert not response.context["results"].documents


# --- Favicon and the picture for shared links -------------------------------------------------


def test_favicon_ico_leads_to_the_icon_every_page_links(client, offices):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/icons/favicon.ico"
    html = html_of(client, "/")
    assert '<link rel="icon" href="/static/icons/favicon.ico"' in html
    assert '<link rel="icon" href="/static/icons/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png">' in html


def test_icons_and_share_picture_are_real_images_of_the_right_size():
    from django.contrib.staticfiles import finders

    with Image.open(finders.find("icons/favicon.ico")) as icon:
        assert icon.format == "ICO" and (32, 32) in icon.info["sizes"]
    with Image.open(finders.find("icons/apple-touch-icon.png")) as touch:
        assert touch.size == (180, 180)
    svg = open(finders.find("icons/favicon.svg"), encoding="utf-8").read()
    assert svg.startswith("<svg") and "<script" not in svg
    with Image.open(finders.find("img/share-default.png")) as share:
        assert (share.format, share.size) == ("PNG", (1200, 630))


def meta_content(html, attribute, name) -> str | None:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    return match.group(1) if match else None


@pytest.mark.parametrize(
    "path", ["/", "/locations/encino/", "/es/conditions/knee-pain/", "/about/"]
)
def test_pages_without_a_picture_are_shared_with_the_default_one(client, demo, path):
    html = html_of(client, path)
    default = "http://testserver/static/img/share-default.png"
    assert meta_content(html, "property", "og:image") == default
    assert meta_content(html, "name", "twitter:image") == default
    assert meta_content(html, "name", "twitter:card") == "summary_large_image"
    assert meta_content(html, "property", "og:image:width") == "1200"


def test_a_page_with_its_own_picture_keeps_it_for_shared_links(client, demo):
    html = html_of(client, "/treatments/stem-cell-therapy/")
    image = meta_content(html, "property", "og:image")
    assert image.startswith("http://testserver/media/") and "share-default" not in image
    assert meta_content(html, "property", "og:image:width") is None


# --- Images: renditions named by content, kept a year; originals a day ------------------------


def png_bytes(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), color).save(buffer, "PNG")
    return buffer.getvalue()


class StoredImage:
    """Just enough of a FieldFile for make_renditions: a name and open/close."""

    def __init__(self, name):
        self.name = name

    def open(self, mode="rb"):
        self._file = default_storage.open(self.name, mode)

    def read(self, *args):
        return self._file.read(*args)

    def seek(self, *args):
        return self._file.seek(*args)

    def tell(self):
        return self._file.tell()

    def close(self):
        self._file.close()


def test_an_image_replaced_under_the_same_name_gets_new_rendition_names(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("treatments/knee.png", ContentFile(png_bytes("#3a7ca5")))
    first = make_renditions(StoredImage(name))
    default_storage.delete(name)
    assert default_storage.save(name, ContentFile(png_bytes("#a53a3a"))) == name
    second = make_renditions(StoredImage(name))
    first_names = {entry["name"] for entry in [*first["webp"], first["fallback"]]}
    second_names = {entry["name"] for entry in [*second["webp"], second["fallback"]]}
    assert not first_names & second_names, "a cached old picture would be shown for a year"
    for entry in [*second["webp"], second["fallback"]]:
        with default_storage.open(entry["name"]) as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()[:16]
        assert digest in entry["name"]


def test_renditions_are_kept_a_year_and_originals_a_day(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("treatments/knee.png", ContentFile(png_bytes("#3a7ca5")))
    renditions = make_renditions(StoredImage(name))
    rendition = client.get(f"/media/{renditions['webp'][0]['name']}")
    assert rendition.status_code == 200
    assert rendition["Cache-Control"] == "public, max-age=31536000, immutable"
    original = client.get(f"/media/{name}")
    assert original.status_code == 200
    assert original["Cache-Control"] == "public, max-age=86400"
    # A browser checking its copy gets "not modified" with the same lifetime.
    again = client.get(
        f"/media/{renditions['webp'][0]['name']}",
        headers={"if-modified-since": rendition["Last-Modified"]},
    )
    assert again.status_code == 304
    assert again["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/media/renditions/missing.webp").status_code == 404


def test_physician_model_lists_offices_in_both_directions(offices):
    physician = make_physician()
    physician.offices.set(offices)
    encino = Office.objects.get(slug="encino")
    assert list(encino.physicians.all()) == [physician]
    assert Physician.objects.filter(offices=encino).count() == 1


def test_a_physicians_draft_is_never_listed_on_an_office_page_or_found_by_search(
    client, offices, django_capture_on_commit_callbacks
):
    from pages.drafts import start_draft

    encino = Office.objects.get(slug="encino")
    with django_capture_on_commit_callbacks(execute=True):
        physician = make_physician(name="Helen Amari", slug="helen-amari")
        physician.offices.set([encino])
        draft = start_draft(page=physician)
        draft.name = "Helen Draftname"
        draft.save()
    page = html_of(Client(), "/locations/encino/")
    assert page.count("Helen Amari") == 1
    assert "Draftname" not in page
    response = client.get("/search/", {"q": "Draftname"})
    assert not response.context["results"].documents
