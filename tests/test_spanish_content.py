"""Content in Spanish: translated pages, English fallbacks with a note, search, sitemap, SEO."""

import re
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.utils import translation
from modeltranslation.translator import translator

from pages.models import Treatment
from search.indexing import rebuild_index
from tests.factories import remove_spanish, sign_in


@pytest.fixture
def demo(db):
    call_command("load_demo_content", verbosity=0)
    call_command("load_demo_schedule", verbosity=0)  # consultation types are named in Spanish
    rebuild_index()


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_stem_cell_page_reads_in_spanish(client, demo):
    html = html_of(client, "/es/treatments/stem-cell-therapy/")
    assert re.search(r'<h1 id="treatment-title" lang="es">Terapia con células madre</h1>', html)
    assert "Se hace en una sola cita, sin cirugía." in html
    assert "Desde ese momento, su cuerpo hace el trabajo." in html  # a section body
    assert "¿Las células son de otra persona?" in html  # an FAQ
    assert "La FDA no ha aprobado la terapia con células madre" in html  # regulatory notice
    assert "Osteoartritis de rodilla (leve a moderada)" in html  # conditions it treats
    assert "not available in Spanish" not in html and 'lang="en"' not in html.split("<main")[1]


def test_the_english_page_is_unchanged(client, demo):
    html = html_of(client, "/treatments/stem-cell-therapy/")
    assert '<h1 id="treatment-title" lang="en">Stem Cell Therapy</h1>' in html
    assert "Terapia" not in html.split("<main")[1]


def test_an_untranslated_page_falls_back_to_english_with_a_note(client, demo):
    prp = remove_spanish(Treatment.objects.get(slug="platelet-rich-plasma"))
    response = client.get("/es/treatments/platelet-rich-plasma/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "translation-note" in html
    assert f'<h1 id="treatment-title" lang="en">{prp.title_en}</h1>' in html
    # Untranslated sections are marked English so screen readers switch voice.
    assert html.count('<div lang="en">') >= prp.sections.count()


def test_spanish_pages_take_the_same_number_of_queries(client, demo, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = "/treatments/stem-cell-therapy/"

    with CaptureQueriesContext(connection) as english:
        html_of(client, url)
    with CaptureQueriesContext(connection) as spanish:
        html_of(client, f"/es{url}")
    assert len(spanish) == len(english) <= 8


def test_offices_and_conditions_in_spanish(client, demo):
    html = html_of(client, "/es/locations/encino/")
    assert "Hay estacionamiento gratis detrás del edificio" in html
    html = html_of(client, "/es/conditions/partial-rotator-cuff-tears/")
    assert "Desgarros parciales del manguito rotador" in html


def test_spanish_search_finds_spanish_words_and_untranslated_pages(client, demo):
    response = client.get("/es/search/", {"q": "rodilla"})
    titles = [d.title for d in response.context["results"].documents]
    assert "Osteoartritis de rodilla (leve a moderada)" in titles
    assert all(d.url.startswith("/es/") for d in response.context["results"].documents)
    plaquetas = client.get("/es/search/", {"q": "plaquetas"}).context["results"].documents
    assert plaquetas[0].title == "Plasma rico en plaquetas (PRP)"
    # A page with no Spanish text yet is still found by its English words from the Spanish site.
    remove_spanish(Treatment.objects.get(slug="platelet-rich-plasma"))
    rebuild_index()
    prp = client.get("/es/search/", {"q": "platelet"}).context["results"].documents
    assert prp and prp[0].url.startswith("/es/treatments/platelet-rich-plasma/")
    # And an English search never returns Spanish pages.
    english = client.get("/search/", {"q": "rodilla"}).context["results"]
    assert english.count == 0


def test_sitemap_lists_both_languages_with_alternates(client, demo):
    root = ElementTree.fromstring(client.get("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locations = [url.findtext("s:loc", namespaces=ns) for url in root.findall("s:url", ns)]
    assert "http://testserver/treatments/stem-cell-therapy/" in locations
    assert "http://testserver/es/treatments/stem-cell-therapy/" in locations
    entry = next(
        url
        for url in root.findall("s:url", ns)
        if url.findtext("s:loc", namespaces=ns).endswith("/es/treatments/stem-cell-therapy/")
    )
    alternates = {link.get("hreflang"): link.get("href") for link in entry.findall("x:link", ns)}
    assert alternates["en"] == "http://testserver/treatments/stem-cell-therapy/"
    assert alternates["x-default"] == "http://testserver/treatments/stem-cell-therapy/"


def test_each_page_names_its_other_language_and_its_own_canonical(client, demo):
    html = html_of(client, "/es/treatments/stem-cell-therapy/")
    assert '<html lang="es">' in html
    assert (
        '<link rel="canonical" href="http://testserver/es/treatments/stem-cell-therapy/">' in html
    )
    assert (
        '<link rel="alternate" hreflang="en" href="http://testserver/treatments/stem-cell-therapy/">'
        in html
    )
    assert '<meta property="og:locale" content="es_US">' in html


def test_markdown_is_rendered_and_sanitised_in_each_language(demo):
    treatment = Treatment.objects.get(slug="stem-cell-therapy")
    section = treatment.sections.get(kind="risks")
    section.body_es = "Hola <script>alert(1)</script> **fuerte** [x](javascript:alert(1))"
    section.save()
    section.refresh_from_db()
    assert "<strong>fuerte</strong>" in section.body_html_es
    assert "<script" not in section.body_html_es and "javascript:" not in section.body_html_es
    assert section.body_html_en.startswith("<p>The cells come from your own body")
    with translation.override("es"):
        assert section.body_html == section.body_html_es


def test_a_new_section_keeps_one_anchor_in_both_languages(demo):
    treatment = Treatment.objects.get(slug="stem-cell-therapy")
    with translation.override("es"):
        extra = treatment.sections.create(
            kind="other", heading_en="Costs", heading_es="Costos", body_en="x", sort_order=99
        )
    assert extra.anchor == "costs"


# --- All demo content is written in Spanish -------------------------------------------------


def published_demo_objects(model):
    """The rows patients can reach: published treatments; every row of the other models."""
    queryset = model._default_manager.all()
    return queryset.published() if hasattr(queryset, "published") else queryset


def test_every_published_demo_object_has_every_translatable_field_in_spanish(demo):
    # Read from modeltranslation's registry, so a field or model translated later is covered.
    models = [model for model in translator.get_registered_models() if not model._meta.proxy]
    missing, checked = [], 0
    for model in models:
        objects = list(published_demo_objects(model))
        assert objects, f"the demo content has no {model.__name__}"
        for obj in objects:
            for field_name in translator.get_options_for_model(model).fields:
                english = getattr(obj, f"{field_name}_en") or ""
                if not english.strip():
                    continue  # optional and empty in English too (e.g. search engine titles)
                checked += 1
                if not (getattr(obj, f"{field_name}_es") or "").strip():
                    missing.append(f"{model.__name__} {obj.pk} {field_name}")
    assert missing == []
    assert checked > 100  # the walk above really read the demo content


def spanish_page_urls() -> list[str]:
    from pages.models import Condition, Office, Physician, SitePage

    urls = ["/", "/treatments/", "/conditions/", "/locations/", "/consultation/"]
    for model in (Treatment, Condition, Office, Physician, SitePage):
        urls += [obj.get_absolute_url() for obj in published_demo_objects(model)]
    return ["/es" + url for url in urls]


def test_no_spanish_page_shows_english_content_or_the_untranslated_note(client, demo):
    urls = spanish_page_urls()
    assert len(urls) > 20
    for url in urls:
        html = html_of(client, url)
        main = html.split("<main", 1)[1].split("</main>", 1)[0]
        assert "translation-note" not in main, url
        # Content that falls back to English is marked lang="en"; none may be left.
        assert 'lang="en"' not in main, url
    # Proper names aside, the English titles are nowhere on the Spanish pages.
    home = html_of(client, "/es/")
    assert "Plasma rico en plaquetas (PRP)" in home and "Platelet-Rich" not in home
    form = html_of(client, "/es/consultation/")
    assert ">Plasma rico en plaquetas (PRP)</option>" in form


def test_the_physician_title_follows_the_language(client, demo):
    treatment = html_of(client, "/es/treatments/platelet-rich-plasma/")
    review = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", treatment.split('id="review"')[1]))
    assert review.strip().startswith('class="review-line"> Revisado por Dra. Helen Amari,')
    page = html_of(client, "/es/physicians/helen-amari/")
    assert "<h1>Dra. Helen Amari</h1>" in page
    assert "<title>Dra. Helen Amari | " in page
    assert "Páginas revisadas por Dra. Helen Amari" in page
    assert "Dr. Helen Amari" not in page
    english = html_of(client, "/physicians/helen-amari/")
    assert "<h1>Dr. Helen Amari</h1>" in english and "Dra." not in english


def test_office_names_are_spanish_in_header_footer_form_titles_and_email(
    client, demo, django_capture_on_commit_callbacks, mailoutbox, settings
):
    from bookings import consent
    from pages.models import Office
    from tests.factories import valid_form_data

    office_page = html_of(client, "/es/locations/los-angeles/")
    header = office_page.split("<header", 1)[1].split("</header>", 1)[0]
    footer = office_page.split("<footer", 1)[1].split("</footer>", 1)[0]
    assert "Los Ángeles: <a" in header
    assert "Consultorio de Los Ángeles</h2>" in footer
    assert "<title>Consultorio de Los Ángeles | " in office_page
    assert "<h1>Consultorio de Los Ángeles</h1>" in office_page
    assert '"name": "Los Ángeles", "position": 3}' in office_page  # the breadcrumb list
    assert f'"name": "{settings.SITE_NAME} – Los Ángeles"' in office_page  # MedicalClinic

    form = html_of(client, "/es/consultation/")
    assert "Los Ángeles (1200 Wilshire Boulevard" in form
    assert "nuestro consultorio de Los Ángeles al" in form

    los_angeles = Office.objects.get(slug="los-angeles")
    data = valid_form_data(los_angeles, consent_wording=consent.current("es").version)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/es/consultation/", data)
    assert response.status_code == 302
    patient_email = next(m for m in mailoutbox if m.to == [data["email"]])
    assert "nuestro consultorio de Los Ángeles" in patient_email.body
    # Staff read English: the office inbox keeps the English name.
    office_email = next(m for m in mailoutbox if m.to != [data["email"]])
    assert "(Los Angeles office)" in office_email.subject


def test_the_503_page_names_the_offices_in_spanish_from_settings(client, demo):
    from unittest import mock

    from django.db import OperationalError

    client.raise_request_exception = False
    with mock.patch("seo.meta.for_home", side_effect=OperationalError("gone")):
        spanish = client.get("/es/")
        english = client.get("/")
    assert spanish.status_code == english.status_code == 503
    assert "Consultorio de Los Ángeles: <a" in spanish.content.decode()
    assert "Los Angeles office: <a" in english.content.decode()


def test_an_editor_sets_the_spanish_title_and_office_name_in_admin(client, demo, admin_user):
    from django.urls import reverse

    from pages.models import Office, Physician
    from tests.test_admin_roundtrip import form_data

    sign_in(client, admin_user)
    edits = [
        (Physician.objects.get(), "honorific_es", "Dr."),
        (Office.objects.get(slug="los-angeles"), "name_es", "Los Ángeles (centro)"),
    ]
    for obj, field_name, value in edits:
        url = reverse(f"admin:pages_{obj._meta.model_name}_change", args=[obj.pk])
        data = form_data(client.get(url).content.decode())
        data[field_name] = [value]
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:1000]
    # The physician profile is live: the edit went into its draft, which a reviewer publishes.
    from pages.drafts import publish

    publish(draft=Physician.objects.get(draft_of__isnull=False), user=admin_user)
    client.logout()
    page = html_of(client, "/es/treatments/stem-cell-therapy/")
    assert "Dr. Helen Amari</a>," in page and "Dra." not in page
    assert "Los Ángeles (centro): <a" in page
