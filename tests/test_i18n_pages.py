"""Every page type in Spanish and in English: language, navigation, headings, the switcher.

These check the interface strings we own (navigation, headings, labels), not the content text,
which editors translate separately.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import OperationalError

from search.indexing import rebuild_index
from tests.factories import valid_form_data

# --- Reading a page the way a patient meets it --------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict
    parent: "Element | None" = None
    children: list = field(default_factory=list)  # elements and text

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def links(self) -> list[tuple[str, str]]:
        return [(a.text, a.attrs.get("href", "")) for a in self.iter() if a.tag == "a"]


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document", {})

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        if self.current.tag not in {"script", "style"}:
            self.current.children.append(data)


class Page:
    """A rendered page: its language, title, headings, labelled navigation and text."""

    def __init__(self, html: str):
        self.html = html
        builder = _Builder()
        builder.feed(html)
        self.root = builder.root

    def find_all(self, tag: str, **attrs) -> list[Element]:
        # aria_label="Main" matches aria-label="Main"; for_="id" matches for="id".
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [
            e
            for e in self.root.iter()
            if e.tag == tag and all(e.attrs.get(k) == v for k, v in wanted.items())
        ]

    def first(self, tag: str, **attrs) -> Element:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]

    @property
    def lang(self) -> str:
        return self.first("html").attrs.get("lang", "")

    @property
    def title(self) -> str:
        return self.first("title").text

    @property
    def h1(self) -> str:
        return self.first("h1").text

    def headings(self) -> list[str]:
        """Headings and form group legends, in page order."""
        return [e.text for e in self.root.iter() if re.fullmatch(r"h[1-6]|legend", e.tag)]

    def nav(self, label: str) -> Element:
        return self.first("nav", aria_label=label)

    def label_for(self, input_id: str) -> str:
        return self.first("label", for_=input_id).text

    @property
    def main_text(self) -> str:
        return self.first("main").text


def page_at(client, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return Page(response.content.decode())


# --- Fixtures -----------------------------------------------------------------------------


@pytest.fixture
def demo(offices):
    call_command("load_demo_content", verbosity=0)
    rebuild_index()


SPANISH_NAV = ["Tratamientos", "Afecciones", "Consultorios", "Solicitar una consulta"]
ENGLISH_NAV = ["Treatments", "Conditions", "Locations", "Request a consultation"]

# (English path, headings only the Spanish page has, headings only the English page has)
PAGE_TYPES = [
    ("/", ["Nuestros tratamientos", "Nuestros consultorios"], ["Our treatments", "Our offices"]),
    ("/treatments/", ["Tratamientos"], ["Treatments"]),
    (
        "/treatments/stem-cell-therapy/",
        ["En esta página", "Aviso médico", "Referencias"],
        ["On this page", "Medical disclaimer", "References"],
    ),
    ("/conditions/", ["Afecciones que tratamos", "Rodilla", "Hombro"], ["Conditions we treat"]),
    (
        "/conditions/knee-osteoarthritis/",
        ["Tratamientos que podrían ayudar", "Aviso médico"],
        ["Treatments that may help", "Medical disclaimer"],
    ),
    ("/locations/", ["Consultorios", "Horario de atención"], ["Locations", "Opening hours"]),
    (
        "/locations/encino/",
        ["Consultorio de Encino", "Dirección y teléfono", "Cómo llegar"],
        ["Encino office", "Address and phone", "Getting here"],
    ),
    (
        "/physicians/helen-amari/",
        ["Dra. Helen Amari", "Páginas revisadas por Dra. Helen Amari"],
        ["Dr. Helen Amari"],
    ),
    ("/privacy/", ["Sobre este sitio"], ["About this site"]),
    ("/search/", ["Buscar"], ["Search"]),
    ("/search/?q=rodilla", ["Buscar"], ["Search"]),
    ("/consultation/", ["Solicitar una consulta", "Sus datos", "Su visita"], ["About you"]),
    ("/consultation/thanks/", ["Solicitud de consulta"], ["Consultation request"]),
]


def spanish(path: str) -> str:
    return "/es" + path


@pytest.mark.parametrize(("path", "spanish_headings", "english_headings"), PAGE_TYPES)
def test_each_page_type_speaks_spanish_under_es(
    client, demo, path, spanish_headings, english_headings
):
    page = page_at(client, spanish(path))
    assert page.lang == "es"
    nav = page.nav("Principal")
    assert [text for text, _ in nav.links()] == SPANISH_NAV
    assert all(href.startswith("/es/") for _, href in nav.links())
    headings = page.headings()
    for heading in spanish_headings:
        assert heading in headings, (heading, headings)
    for heading in english_headings:
        assert heading not in headings, heading
    assert page.first("a", class_="skip-link").text == "Ir al contenido principal"
    assert page.label_for("header-search-q") == "Buscar en este sitio"
    assert "La información de este sitio es educativa y general" in page.first("footer").text
    assert page.first("a", class_="site-name").attrs["href"] == "/es/"


@pytest.mark.parametrize(("path", "spanish_headings", "english_headings"), PAGE_TYPES)
def test_english_pages_keep_their_english_interface(
    client, demo, path, spanish_headings, english_headings
):
    page = page_at(client, path)
    assert page.lang == "en"
    nav = page.nav("Main")
    assert [text for text, _ in nav.links()] == ENGLISH_NAV
    assert not any(href.startswith("/es/") for _, href in nav.links())
    headings = page.headings()
    for heading in english_headings:
        assert heading in headings, (heading, headings)
    assert page.first("a", class_="skip-link").text == "Skip to main content"
    assert "general education, not medical advice" in page.first("footer").text
    for spanish_word in ("Solicitar", "Inicio", "Afecciones", "Consultorios", "Buscar", "Dra."):
        assert spanish_word not in page.html, spanish_word


def test_spanish_titles_descriptions_and_breadcrumbs(client, demo):
    page = page_at(client, "/es/treatments/")
    assert page.title.startswith("Tratamientos | ")
    description = page.first("meta", name="description").attrs["content"]
    assert "explicados en palabras sencillas" in description
    crumbs = page.nav("Ruta de navegación").links()
    assert crumbs == [("Inicio", "/es/")]
    assert '"name": "Inicio"' in page.html  # the BreadcrumbList matches what is shown

    home = page_at(client, "/es/")
    assert home.title.startswith("Terapia con células madre y PRP en Los Ángeles y Encino")
    # The Spanish home names itself as canonical, not the English one.
    assert home.first("link", rel="canonical").attrs["href"] == "http://testserver/es/"
    assert page_at(client, "/").first("link", rel="canonical").attrs["href"] == (
        "http://testserver/"
    )

    office = page_at(client, "/es/locations/encino/")
    assert office.title.startswith("Consultorio de Encino | ")
    assert office.nav("Ruta de navegación").links() == [
        ("Inicio", "/es/"),
        ("Consultorios", "/es/locations/"),
    ]


def test_dates_weekdays_and_body_areas_read_in_spanish(client, demo):
    site_page = page_at(client, "/es/privacy/")
    assert re.search(r"Última actualización: \d{1,2} de [a-z]+ de \d{4} ?\.", site_page.main_text)
    english = page_at(client, "/privacy/")
    assert re.search(r"Last updated [A-Z][a-z]+ \d{1,2}, \d{4} ?\.", english.main_text)

    treatment = page_at(client, "/es/treatments/stem-cell-therapy/")
    review = treatment.first("p", id="review").text
    assert re.search(r"Revisado por .+ , \d{1,2} de [a-z]+ de \d{4} ?\.", review), review

    hours = page_at(client, "/es/locations/").main_text
    assert "Lunes" in hours and "Viernes" in hours and "Monday" not in hours

    condition = page_at(client, "/es/conditions/knee-osteoarthritis/").main_text
    assert "Parte del cuerpo: Rodilla" in condition


def test_search_results_are_counted_and_labelled_in_spanish(client, demo):
    page = page_at(client, "/es/search/?q=rodilla")
    status = page.first("div", role="status").text
    assert re.search(r"\d+ resultados? para “rodilla”\.", status), status
    assert page.label_for("search-page-q") == "Busque tratamientos, afecciones y preguntas"

    nothing = page_at(client, "/es/search/?q=zzzzzz").first("div", role="status")
    assert "No hay resultados para “zzzzzz”." in nothing.text
    assert ("vea todos los tratamientos", "/es/treatments/") in nothing.links()

    empty = page_at(client, "/es/search/?q=").first("div", role="status").text
    assert empty == "Escriba por lo menos una palabra para buscar."


def test_the_404_page_speaks_the_language_of_the_address(client, demo):
    page = page_at(client, "/es/no-existe/", status=404)
    assert page.lang == "es"
    assert page.h1 == "No encontramos esa página"
    assert ("Solicitar una consulta", "/es/consultation/") in page.first("main").links()

    english = page_at(client, "/no-such-page/", status=404)
    assert english.lang == "en"
    assert english.h1 == "We could not find that page"
    assert ("Request a consultation", "/consultation/") in english.first("main").links()


def test_the_429_page_speaks_spanish_with_both_phones(client, demo, offices, settings):
    settings.BOOKINGS_RATE_LIMIT = 1
    settings.BOOKINGS_RATE_LIMIT_KEEP = 0
    encino = next(o for o in offices if o.slug == "encino")
    codes = [
        client.post("/es/consultation/", valid_form_data(encino)).status_code for _ in range(2)
    ]
    assert codes == [302, 429]
    response = client.post("/es/consultation/", valid_form_data(encino))
    page = Page(response.content.decode())
    assert response.status_code == 429
    assert page.lang == "es"
    assert page.h1 == "Por favor, llámenos por teléfono"
    assert "pausamos el formulario por unos minutos" in page.main_text
    for office in offices:
        assert office.phone_display in page.main_text


# --- The language switcher ----------------------------------------------------------------


def switcher_link(page: Page, nav_label: str) -> tuple[str, Element]:
    """The one link in the language switcher, to the other language; and the switcher."""
    switcher = page.nav(nav_label)
    links = [a for a in switcher.iter() if a.tag == "a"]
    assert len(links) == 1
    return links[0].attrs["href"], links[0]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/treatments/stem-cell-therapy/?from=newsletter",
        "/conditions/knee-osteoarthritis/",
        "/locations/encino/",
        "/physicians/helen-amari/",
        "/about/",
        "/search/?q=knee&page=2",
        "/consultation/?office=encino&treatment=stem-cell-therapy",
    ],
)
def test_the_switcher_keeps_the_patient_on_the_same_page_both_ways(client, demo, path):
    english = page_at(client, path)
    to_spanish, link = switcher_link(english, "Language")
    assert link.text == "Español"
    assert link.attrs["hreflang"] == "es" and link.attrs["lang"] == "es"
    assert to_spanish == spanish(path)

    spanish_page = page_at(client, to_spanish)
    assert spanish_page.lang == "es"
    to_english, link = switcher_link(spanish_page, "Idioma")
    assert link.text == "English"
    assert link.attrs["hreflang"] == "en" and link.attrs["lang"] == "en"
    assert to_english == path
    assert urlsplit(to_english).query == urlsplit(path).query

    current = spanish_page.nav("Idioma").text
    assert current.startswith("English Idioma: Español")


def test_switching_language_on_the_form_keeps_the_office_and_treatment_chosen(
    client, demo, offices
):
    english = page_at(client, "/consultation/?office=encino&treatment=stem-cell-therapy")
    to_spanish, _ = switcher_link(english, "Language")
    page = page_at(client, to_spanish)
    encino = next(o for o in offices if o.slug == "encino")
    checked = [
        e.attrs["value"] for e in page.find_all("input", name="office") if "checked" in e.attrs
    ]
    assert checked == [str(encino.pk)]
    chosen = [
        e.text for e in page.first("select", name="treatment").iter() if "selected" in e.attrs
    ]
    assert chosen == ["Terapia con células madre"]


# --- Error pages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "status", "spanish_h1", "english_h1"),
    [
        (RuntimeError("a bug"), 500, "Lo sentimos, algo falló de nuestro lado", None),
        (
            OperationalError("could not connect to server"),
            503,
            "Nuestro sitio web está tomando un breve descanso",
            "Our website is having a short break",
        ),
    ],
)
def test_500_and_503_pages_speak_the_language_of_the_address(
    client, demo, error, status, spanish_h1, english_h1
):
    client.raise_request_exception = False
    with mock.patch("seo.meta.for_home", side_effect=error):
        spanish_page = page_at(client, "/es/", status=status)
        english_page = page_at(client, "/", status=status)
    assert spanish_page.lang == "es" and spanish_page.h1 == spanish_h1
    assert english_page.lang == "en"
    assert english_page.h1 == (english_h1 or "Sorry, something went wrong on our side")


def test_the_plain_503_fallback_speaks_spanish_too(client, demo):
    client.raise_request_exception = False
    with (
        mock.patch("seo.meta.for_home", side_effect=OperationalError("gone")),
        mock.patch("clinic_site.views.loader.render_to_string", side_effect=RuntimeError),
    ):
        page = page_at(client, "/es/", status=503)
    assert page.lang == "es"
    assert page.h1 == "Nuestro sitio web está tomando un breve descanso"
    assert "Vuelva a intentarlo en unos minutos, o llámenos:" in page.root.text


def test_an_oversized_spanish_form_gets_the_400_page_in_spanish(client, demo):
    body = "message=" + "x" * (300 * 1024)
    response = client.post(
        "/es/consultation/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    page = Page(response.content.decode())
    assert page.lang == "es"
    assert page.h1 == "No pudimos leer lo que envió su navegador"
    assert "Acorte su mensaje" in page.main_text
