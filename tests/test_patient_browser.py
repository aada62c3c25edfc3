"""A patient's walk in Chromium, on a phone (390x844) and a desktop (1280x900), in English and
Spanish, with and without JavaScript: controls they can see, a short header, errors in view,
answers kept across a language switch, and no missing favicon."""

import re
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import expect

from bookings.models import ConsultationRequest
from tests.browser import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])

# WCAG 2.2 1.4.11: boundaries of controls and focus indicators need 3:1 against what is next
# to them. Colours are composited over what lies beneath them, as the eye sees them.
CONTRAST_JS = """
(() => {
  function parse(color) {
    const m = color.match(/rgba?\\(([^)]+)\\)/);
    if (!m) { return null; }
    const parts = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
  }
  function over(top, bottom) {
    const a = top.a + bottom.a * (1 - top.a);
    const mix = k => (top[k] * top.a + bottom[k] * bottom.a * (1 - top.a)) / a;
    return {r: mix("r"), g: mix("g"), b: mix("b"), a: a};
  }
  function background(element) {
    // The element's own background over its ancestors', down to the white canvas.
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
      const color = parse(getComputedStyle(node).backgroundColor);
      if (color && color.a > 0) { layers.push(color); }
      if (color && color.a === 1) { break; }
    }
    let result = {r: 255, g: 255, b: 255, a: 1};
    for (let i = layers.length - 1; i >= 0; i--) { result = over(layers[i], result); }
    return result;
  }
  function luminance(c) {
    const f = v => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function ratio(a, b) {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  }
  window.controlContrast = (selector) => {
    const element = document.querySelector(selector);
    const style = getComputedStyle(element);
    const inside = background(element);
    const outside = background(element.parentElement);
    const ratios = [];
    for (const side of ["Top", "Right", "Bottom", "Left"]) {
      if (parseFloat(style["border" + side + "Width"]) < 1) { ratios.push(0); continue; }
      const border = over(parse(style["border" + side + "Color"]), outside);
      // Against the page around it; and against its own fill, unless filled with the same
      // colour (a chosen radio is one solid dot).
      const own = ratio(border, inside);
      ratios.push(own < 1.05 ? ratio(border, outside) : Math.min(own, ratio(border, outside)));
    }
    const shown = element.offsetWidth > 0;
    return {min: Math.min(...ratios), border: style.borderTopColor, visible: shown};
  };
  window.focusIndicator = () => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const outside = background(element.parentElement);
    const width = parseFloat(style.outlineWidth);
    if (style.outlineStyle === "none" || width < 2) {
      return {visible: false, ratio: 0, what: describe(element)};
    }
    const ring = over(parse(style.outlineColor), outside);
    let contrast = ratio(ring, outside);
    // A halo drawn under the ring is next to it too.
    const halo = parse(style.boxShadow);
    if (halo && halo.a > 0) { contrast = Math.min(contrast, ratio(ring, over(halo, outside))); }
    return {visible: true, ratio: contrast, what: describe(element)};
  };
  function describe(element) {
    const text = element.getAttribute("aria-label") || element.textContent || element.tagName;
    return element.id || text.trim().slice(0, 40);
  }
  window.describeFocus = () => describe(document.activeElement);
})();
"""

CONTROLS = {
    "text": "#id_first_name",
    "email": "#id_email",
    "tel": "#id_phone",
    "textarea": "#id_message",
    "select": "#id_treatment",
    "radio": "#id_office_0",
    "checkbox (days)": "#id_preferred_days_0",
    "checkbox (consent)": "#id_consent_to_contact",
    "header search": "#header-search-q",
}


@pytest.fixture
def site(settings, tmp_path, offices):
    settings.MEDIA_ROOT = tmp_path
    settings.BOOKINGS_MIN_FILL_SECONDS = 0  # a test types faster than a person
    cache.clear()  # transactional tests share the cache table: a fresh rate limit
    call_command("load_demo_content", verbosity=0)


@pytest.fixture
def open_page(chromium, live_server):
    """open_page(viewport, javascript=True): a page in its own context, only for our server."""
    contexts, outside = [], []

    def guard(route):
        if urlparse(route.request.url).hostname in {"localhost", "127.0.0.1"}:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def opener(viewport, javascript=True):
        context = chromium.new_context(
            base_url=live_server.url, viewport=viewport, java_script_enabled=javascript
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.route("**/*", guard)
        return page

    yield opener
    for context in contexts:
        context.close()
    assert not outside, f"The page asked a third party for: {outside}"


def box(page, selector) -> dict:
    return page.locator(selector).bounding_box()


def inside_viewport(page, selector) -> bool:
    area = box(page, selector)
    size = page.viewport_size
    return (
        area["y"] >= 0
        and area["x"] >= 0
        and area["y"] + area["height"] <= size["height"]
        and area["x"] + area["width"] <= size["width"]
    )


def submit(page, name="Send my request"):
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


# --- 1. Control boundaries and focus rings ----------------------------------------------------


@VIEWPORTS
def test_every_form_control_boundary_has_at_least_3_to_1_contrast(open_page, site, viewport):
    page = open_page(viewport)
    page.goto("/consultation/")
    page.evaluate(CONTRAST_JS)
    low = {}
    for kind, selector in CONTROLS.items():
        result = page.evaluate("s => controlContrast(s)", selector)
        assert result["visible"], f"{kind} is not shown"
        if result["min"] < 3:
            low[kind] = (round(result["min"], 2), result["border"])
    assert not low, f"control boundaries under 3:1: {low}"

    # The same after a submit with errors (red boundaries) and once a radio is chosen.
    page.check("#id_office_0")
    page.check("#id_preferred_days_0")
    submit(page)
    page.evaluate(CONTRAST_JS)
    for kind, selector in CONTROLS.items():
        result = page.evaluate("s => controlContrast(s)", selector)
        assert result["min"] >= 3, (kind, result)


@VIEWPORTS
def test_keyboard_focus_is_visible_on_every_stop_of_the_header_and_form(open_page, site, viewport):
    page = open_page(viewport)
    page.goto("/consultation/")
    page.evaluate(CONTRAST_JS)
    seen, weak = [], {}
    for _ in range(60):
        page.keyboard.press("Tab")
        focus = page.evaluate("focusIndicator()")
        seen.append(focus["what"])
        if not focus["visible"] or focus["ratio"] < 3:
            weak[focus["what"]] = round(focus["ratio"], 2)
        if focus["what"] == "Send my request":
            break
    assert "Send my request" in seen, f"Tab never reached the send button: {seen}"
    assert {"header-search-q", "id_first_name", "id_message", "id_consent_to_contact"} <= set(seen)
    assert not weak, f"focus rings missing or under 3:1: {weak}"


# --- 7. The header: short on a phone, search with its label in line on a desktop --------------


@pytest.mark.parametrize("path", ["/", "/consultation/", "/es/treatments/stem-cell-therapy/"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_phone_header_is_short_and_keeps_calls_and_search_reachable(
    open_page, site, path, javascript
):
    page = open_page(PHONE, javascript=javascript)
    page.goto(path)
    # Before: about 320 px (370 px in Spanish), nearly half the screen.
    height = box(page, "header")["height"]
    limit = 230 if (path == "/consultation/" and not javascript) else 200
    assert height <= limit, f"{path}: header is {height:.0f} px tall"
    search = page.locator("#header-search-q")
    expect(search).to_be_visible()
    assert box(page, "#header-search-q")["width"] >= 100  # room to see what one types

    call = page.locator(".header-call summary")
    expect(call).to_be_visible()
    phones = page.locator(".header-call a[href^='tel:']")
    expect(phones.first).to_be_hidden()
    call.click()  # a native disclosure: works without JavaScript too
    expect(phones).to_have_count(2)
    for number in range(2):
        expect(phones.nth(number)).to_be_visible()
        assert inside_viewport(page, f".header-call li:nth-child({number + 1}) a")
    if javascript:
        assert_accessible(page)

    search.fill("knee")
    with page.expect_navigation():
        search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=knee$"))


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_the_desktop_search_sits_on_the_name_row_with_a_visible_label(open_page, site, prefix):
    page = open_page(DESKTOP)
    page.goto(f"{prefix}/")
    label = page.locator("label[for='header-search-q']")
    expect(label).to_be_visible()
    assert box(page, "label[for='header-search-q']")["width"] > 40  # not a clipped 1 px box
    name, search = box(page, ".site-name"), box(page, "#header-search-q")
    assert search["y"] < name["y"] + name["height"] and name["y"] < search["y"] + search["height"]
    label_box = box(page, "label[for='header-search-q']")
    assert label_box["x"] + label_box["width"] <= search["x"]  # the label leads the field
    # The numbers stay in view on a desktop, in the menu bar.
    expect(page.locator(".header-phones a[href^='tel:']")).to_have_count(2)
    expect(page.locator(".header-phones a[href^='tel:']").first).to_be_visible()
    expect(page.locator(".header-call")).to_be_hidden()
    assert box(page, "header")["height"] <= 110  # before: 139 px, the search on its own row
    assert_accessible(page)


@pytest.mark.parametrize(
    ("viewport", "expected"),
    [
        (
            PHONE,
            [
                "Skip to main content",
                "Westside",
                "Call us",
                "header-search-q",
                "Search",
                "Español",
                "Treatments",
                "Conditions",
                "Locations",
                "Request a consultation",
            ],
        ),
        (
            DESKTOP,
            [
                "Skip to main content",
                "Westside",
                "header-search-q",
                "Search",
                "Español",
                "Treatments",
                "Conditions",
                "Locations",
                "Request a consultation",
                "(310) 555-0142",
                "(818) 555-0167",
            ],
        ),
    ],
    ids=["phone", "desktop"],
)
def test_the_header_is_walked_by_keyboard_in_reading_order(open_page, site, viewport, expected):
    page = open_page(viewport)
    page.goto("/")
    page.evaluate(CONTRAST_JS)
    order = []
    for _ in expected:
        page.keyboard.press("Tab")
        order.append(page.evaluate("describeFocus()"))
    assert [
        step.startswith(want) or step == want for step, want in zip(order, expected, strict=True)
    ] == [True] * len(expected), order


# --- 2. Errors and the medical-detail notice in view on arrival ------------------------------


def fill_nearly_everything(page):
    page.fill("#id_first_name", "Ana")
    page.fill("#id_last_name", "Ruiz")
    page.fill("#id_email", "ana@")  # a slip
    page.fill("#id_phone", "818 555 0123")
    page.check("#id_office_1")
    page.check("#id_patient_status_0")
    page.check("#id_contact_method_0")
    page.fill("#id_message", "Could you call me about my knee?")
    # ... and the consent box forgotten.


@pytest.mark.parametrize("prefix", ["", "/es"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_on_a_phone_the_error_summary_is_in_view_on_arrival(open_page, site, prefix, javascript):
    page = open_page(PHONE, javascript=javascript)
    page.goto(f"{prefix}/consultation/")
    fill_nearly_everything(page)
    with page.expect_navigation():
        page.locator("#consultation-form button[type=submit]").click()
    # Before: the summary started at y = 780-835, below the fold, and nothing seemed to happen.
    assert inside_viewport(page, "#error-summary"), box(page, "#error-summary")
    if javascript:
        expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary a")).to_have_count(2)
    assert page.input_value("#id_last_name") == "Ruiz"

    # Everything left empty: the summary still starts in view with its heading and first item.
    page.goto(f"{prefix}/consultation/")
    with page.expect_navigation():
        page.locator("#consultation-form button[type=submit]").click()
    assert inside_viewport(page, "#error-summary-title")
    assert inside_viewport(page, "#error-summary li:first-child")
    if javascript:
        assert_accessible(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_on_a_phone_the_medical_detail_notice_is_in_view_on_arrival(open_page, site, javascript):
    page = open_page(PHONE, javascript=javascript)
    page.goto("/consultation/")
    fill_nearly_everything(page)
    page.fill("#id_email", "ana@example.org")
    page.fill("#id_message", "My date of birth is 04/12/1961; I take warfarin.")
    page.check("#id_consent_to_contact")
    submit(page)
    assert inside_viewport(page, "#medical-warning"), box(page, "#medical-warning")
    if javascript:
        expect(page.locator("#medical-warning")).to_be_focused()
    assert ConsultationRequest.objects.count() == 0
    submit(page, "Send it as it is")
    expect(page).to_have_url(re.compile(r"/consultation/thanks/$"))
    assert ConsultationRequest.objects.count() == 1


# --- 4. Privacy link, and answers kept when the language is switched -------------------------


def test_the_privacy_notice_opens_from_the_consent(open_page, site):
    page = open_page(PHONE)
    page.goto("/consultation/")
    link = page.locator("#id_consent_to_contact_helptext").get_by_role(
        "link", name="privacy notice"
    )
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(r"/privacy/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")


@VIEWPORTS
def test_switching_language_mid_form_keeps_what_was_typed_but_not_the_consent(
    open_page, site, viewport
):
    page = open_page(viewport)
    page.goto("/consultation/?office=encino")
    page.fill("#id_first_name", "José")
    page.fill("#id_email", "jose@example.org")
    page.check("#id_office_0")  # changed their mind: Los Angeles
    page.check("#id_preferred_days_1")
    page.check("#id_preferred_days_3")
    page.select_option("#id_treatment", label="Platelet-Rich Plasma (PRP)")
    page.fill("#id_message", "¿Atienden los sábados?\nGracias.")
    page.check("#id_consent_to_contact")

    with page.expect_navigation():
        page.get_by_role("navigation", name="Language").get_by_role("link", name="Español").click()
    expect(page).to_have_url(re.compile(r"/es/consultation/\?office=encino$"))  # nothing personal
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert page.input_value("#id_first_name") == "José"
    assert page.input_value("#id_email") == "jose@example.org"
    assert page.is_checked("#id_office_0") and not page.is_checked("#id_office_1")
    assert page.is_checked("#id_preferred_days_1") and page.is_checked("#id_preferred_days_3")
    assert not page.is_checked("#id_preferred_days_0")
    expect(page.locator("#id_treatment option:checked")).to_have_text(
        "Plasma rico en plaquetas (PRP)"
    )
    assert page.input_value("#id_message") == "¿Atienden los sábados?\nGracias."
    # The Spanish consent is new wording: the patient reads and ticks it again.
    assert not page.is_checked("#id_consent_to_contact")
    # The answers are gone from the browser's storage as soon as they were put back.
    assert page.evaluate("window.sessionStorage.length") == 0

    page.reload()
    assert page.input_value("#id_first_name") in ("", "José")  # the browser's own memory only
    assert page.evaluate("window.sessionStorage.length") == 0


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_without_javascript_the_switcher_warns_that_answers_are_not_carried(
    open_page, site, prefix
):
    page = open_page(DESKTOP, javascript=False)
    page.goto(f"{prefix}/consultation/")
    note = page.get_by_role("navigation", name=re.compile("Language|Idioma")).locator(
        ".language-note"
    )
    expect(note).to_be_visible()
    expect(note).to_have_text(
        "Al cambiar de idioma se borra este formulario."
        if prefix
        else "Switching language clears this form."
    )
    page.goto(f"{prefix}/")
    expect(page.locator(".language-note")).to_have_count(0)
    # With JavaScript the answers go along, so there is nothing to warn about.
    scripted = open_page(DESKTOP)
    scripted.goto(f"{prefix}/consultation/")
    expect(scripted.locator(".language-note")).to_be_hidden()


# --- 5. Office pages; 6. favicon ---------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_an_office_page_offers_directions_and_its_physicians_and_loads_nothing_else(
    open_page, site, prefix
):
    page = open_page(PHONE)
    failed = []
    page.on(
        "response", lambda response: failed.append(response.url) if response.status >= 400 else None
    )
    page.goto(f"{prefix}/locations/encino/")
    directions = page.get_by_role("link", name=re.compile("Google Maps"))
    expect(directions).to_be_visible()
    assert directions.get_attribute("target") is None
    assert directions.get_attribute("href").startswith("https://www.google.com/maps/search/?api=1")
    physician = page.locator("main").get_by_role("link", name=re.compile("Helen Amari"))
    expect(physician).to_be_visible()
    assert_accessible(page)
    physician.click()
    expect(page).to_have_url(re.compile(rf"{prefix}/physicians/helen-amari/$"))

    # The header's search finds the office by what a patient types.
    page.fill("#header-search-q", "horario Encino" if prefix else "encino hours")
    with page.expect_navigation():
        page.press("#header-search-q", "Enter")
    first = page.locator(".search-results li").first
    expect(first.get_by_role("link")).to_have_text(
        "Consultorio de Encino" if prefix else "Encino office"
    )
    expect(first).to_contain_text("Consultorio" if prefix else "Office")
    assert_accessible(page)
    assert not failed, f"requests that failed: {failed}"


def test_no_page_asks_for_a_missing_favicon(open_page, site):
    page = open_page(DESKTOP)
    failed = []
    page.on("response", lambda reply: failed.append(reply.url) if reply.status >= 400 else None)
    for path in ["/", "/es/", "/consultation/", "/locations/encino/", "/search/?q=knee"]:
        page.goto(path)
        icons = page.eval_on_selector_all(
            "link[rel=icon], link[rel=apple-touch-icon]", "links => links.map(l => l.href)"
        )
        assert len(icons) == 3, path
        # page.request: Playwright's routing upsets .ico downloads; this asks the server directly.
        for href in icons:
            reply = page.request.get(href)
            assert reply.status == 200 and reply.headers["content-type"].startswith("image/")
    icon = page.request.get("/favicon.ico")  # follows the redirect, as a browser does
    assert icon.status == 200 and icon.body() == page.request.get(icons[0]).body()
    assert not failed, f"requests that failed: {failed}"
