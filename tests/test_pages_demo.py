import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from pages.demo.content import CONDITIONS, DEFAULT_REGULATORY_NOTICE
from pages.models import (
    FAQ,
    Condition,
    Physician,
    Reference,
    SitePage,
    SiteSettings,
    Treatment,
    TreatmentSection,
)
from pages.readability import TARGET_GRADE, grade_markdown

pytestmark = pytest.mark.django_db

# The reference pages sit beside the checkout, in shared/ (as on developers' machines and CI).
REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference"
# Six words in a row shared with the reference pages is copying; shorter runs are common phrases.
RUN = 6


@pytest.fixture
def demo(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    # Renditions are made once the content commits.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_content", verbosity=0)
    return tmp_path


DEMO_MODELS = [Treatment, TreatmentSection, FAQ, Reference, Condition, Physician, SitePage]


def snapshot():
    """Every demo row as its name reads in each language."""
    found = {}
    for language in ("en", "es"):
        with translation.override(language):
            for model in DEMO_MODELS:
                found[model.__name__, language] = sorted(map(str, model.objects.all()))
    return found


def test_loading_the_demo_twice_gives_the_same_site(demo, client):
    first = snapshot()
    urls = [
        "/treatments/stem-cell-therapy/",
        "/es/treatments/platelet-rich-plasma/",
        "/es/physicians/helen-amari/",
        "/es/locations/los-angeles/",
        "/es/privacy/",
    ]
    first_pages = [client.get(url).content for url in urls]
    call_command("load_demo_content", verbosity=0)
    assert snapshot() == first
    assert [client.get(url).content for url in urls] == first_pages
    assert Treatment.objects.count() == 2 and Physician.objects.count() == 1
    assert Condition.objects.count() == len(CONDITIONS)
    assert len(list(demo.glob("demo/*.jpg"))) == 3


def test_each_demo_treatment_is_live_and_has_every_section_kind(demo):
    for treatment in Treatment.objects.all():
        assert treatment.is_live
        kinds = set(treatment.sections.values_list("kind", flat=True))
        assert kinds == set(TreatmentSection.Kind.values), treatment
        assert treatment.faqs.exists() and treatment.references.exists()
        assert treatment.conditions.exists()
        assert "FDA" in treatment.regulatory_notice and "vary" in treatment.regulatory_notice
        assert treatment.reviewed_by and treatment.next_review_due > treatment.last_reviewed
    assert "vary" in SiteSettings.load().default_regulatory_notice


def test_every_demo_condition_has_a_body_area_and_a_page(demo, client):
    for condition in Condition.objects.all():
        assert condition.body_area
        assert client.get(condition.get_absolute_url()).status_code == 200


def test_demo_images_are_real_files_with_their_sizes_stored(demo, client):
    for treatment in Treatment.objects.all():
        assert (demo / treatment.hero_image.name).is_file()
        assert treatment.hero_image_width == 1200 and treatment.hero_image_alt
        html = client.get(treatment.get_absolute_url()).content.decode()
        # The page shows a rendition made from the demo image, with its size for layout.
        fallback = treatment.hero_renditions["fallback"]
        assert f'src="/media/{fallback["name"]}"' in html
        assert f'width="{fallback["width"]}" height="{fallback["height"]}"' in html
    physician = Physician.objects.get()
    assert (demo / physician.photo.name).is_file() and physician.photo_alt


def test_the_demo_physician_is_fictional(demo):
    assert "Dini" not in Physician.objects.get().name


def test_demo_treatment_pages_read_at_grade_8_or_below(demo):
    for treatment in Treatment.objects.prefetch_related("sections", "faqs"):
        assert treatment.readability().grade <= TARGET_GRADE, treatment
        for section in treatment.sections.all():
            result = section.readability()
            assert result is None or result.grade <= TARGET_GRADE, section
        for text in [treatment.summary, treatment.regulatory_notice]:
            assert grade_markdown(text).grade <= TARGET_GRADE, text


def test_every_demo_claim_cites_a_reference_in_both_languages(demo, client):
    for treatment in Treatment.objects.prefetch_related("sections", "faqs", "references"):
        assert treatment.unsupported_claims() == [], treatment
    # The demo shows patients what a citation looks like: a link to the reference list.
    html = client.get("/es/treatments/stem-cell-therapy/").content.decode()
    assert 'href="#ref-3" aria-label="Referencia 3"' in html and 'id="ref-3"' in html


def test_other_demo_text_reads_at_grade_8_or_below(demo):
    for page in SitePage.objects.all():
        assert page.readability().grade <= TARGET_GRADE, page
    assert Physician.objects.get().readability().grade <= TARGET_GRADE
    assert grade_markdown(DEFAULT_REGULATORY_NOTICE).grade <= TARGET_GRADE
    for condition in Condition.objects.all():
        assert grade_markdown(condition.description).grade <= TARGET_GRADE, condition


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))


@pytest.mark.skipif(not REFERENCE_DIR.is_dir(), reason="reference pages not on this machine")
def test_demo_text_copies_no_run_of_six_words_from_the_reference_pages(demo):
    reference = [words(path.read_text()) for path in REFERENCE_DIR.glob("*.txt")]
    shingles = {tuple(text[i : i + RUN]) for text in reference for i in range(len(text) - RUN + 1)}
    demo_texts = [t.summary + " " + t.regulatory_notice for t in Treatment.objects.all()]
    demo_texts += [s.body for s in TreatmentSection.objects.all()]
    demo_texts += [f.question + " " + f.answer for f in FAQ.objects.all()]
    demo_texts += [p.body for p in SitePage.objects.all()]
    demo_texts += [c.description for c in Condition.objects.all()]
    copied = [
        " ".join(text[i : i + RUN])
        for text in map(words, demo_texts)
        for i in range(len(text) - RUN + 1)
        if tuple(text[i : i + RUN]) in shingles
    ]
    assert not copied
