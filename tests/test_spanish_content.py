"""Content in Spanish: translated pages, English fallbacks with a note, search, sitemap, SEO."""

import re
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.utils import translation

from pages.models import Treatment
from search.indexing import rebuild_index


@pytest.fixture
def demo(db):
    call_command("load_demo_content", verbosity=0)
    rebuild_index()


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_stem_cell_page_reads_in_spanish(client, demo):
    html = html_of(client, "/es/treatments/stem-cell-therapy/")
    assert re.search(r'<h1 id="treatment-title" lang="es">Terapia con células madre</h1>', html)
    assert "Se hace en una sola visita, sin cirugía." in html
    assert "Desde ese momento, su cuerpo hace el trabajo." in html  # a section body
    assert "¿Las células son de otra persona?" in html  # an FAQ
    assert "La FDA no ha aprobado la terapia con células madre" in html  # regulatory notice
    assert "Artrosis de rodilla (leve a moderada)" in html  # conditions it treats
    assert "not available in Spanish" not in html and 'lang="en"' not in html.split("<main")[1]


def test_the_english_page_is_unchanged(client, demo):
    html = html_of(client, "/treatments/stem-cell-therapy/")
    assert '<h1 id="treatment-title" lang="en">Stem Cell Therapy</h1>' in html
    assert "Terapia" not in html.split("<main")[1]


def test_an_untranslated_page_falls_back_to_english_with_a_note(client, demo):
    prp = Treatment.objects.get(slug="platelet-rich-plasma")
    assert not prp.title_es
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
    assert "Artrosis de rodilla (leve a moderada)" in titles
    assert all(d.url.startswith("/es/") for d in response.context["results"].documents)
    # PRP has no Spanish text yet; its English words still find it from the Spanish site.
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
