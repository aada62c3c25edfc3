from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image

from pages.claims import find_numeric_claims
from pages.models import (
    BodyArea,
    Condition,
    SitePage,
    SiteSettings,
    Treatment,
    TreatmentSection,
    group_by_body_area,
)
from pages.readability import TARGET_GRADE, count_syllables, grade_markdown
from tests.factories import make_treatment

pytestmark = pytest.mark.django_db

HOSTILE_MARKDOWN = """
Hello <script>alert("x")</script> there.

<img src="x.png" onerror="alert(1)">

[Click me](javascript:alert(1)) and <a href="javascript:alert(2)" onclick="alert(3)">this</a>.

<p style="color:red" onmouseover="alert(4)">Styled</p>
"""


def assert_harmless(html: str) -> None:
    lowered = html.lower()
    for danger in ("<script", "onerror", "onclick", "onmouseover", "javascript:", "<img", "style="):
        assert danger not in lowered, f"{danger} survived sanitising: {html}"


def test_section_markdown_is_rendered_once_on_save_and_sanitised():
    treatment = make_treatment(sections=0)
    section = TreatmentSection(treatment=treatment, kind="overview", body=HOSTILE_MARKDOWN)
    section.save()
    assert "<p>Hello" in section.body_html
    assert "Styled" in section.body_html and "Click me" in section.body_html
    assert_harmless(section.body_html)


def test_faq_answers_and_site_pages_are_sanitised_too():
    treatment = make_treatment(sections=0, faqs=0)
    faq = treatment.faqs.create(question="Safe?", answer=HOSTILE_MARKDOWN)
    page = SitePage.objects.create(title="About", slug="about", body=HOSTILE_MARKDOWN)
    assert_harmless(faq.answer_html)
    assert_harmless(page.body_html)


def test_a_section_anchor_is_its_kind_and_survives_a_new_heading():
    section = make_treatment(sections=1).sections.get()
    assert section.anchor == "overview"
    section.heading = "What it is"
    section.save()
    assert section.anchor == "overview"
    assert section.display_heading == "What it is"


def test_other_sections_get_unique_anchors_that_never_take_a_page_id():
    treatment = make_treatment(sections=0)
    anchors = []
    for heading in ["References", "References", "Overview", "Costs"]:
        section = TreatmentSection(treatment=treatment, kind="other", heading=heading, body="x")
        section.save()
        anchors.append(section.anchor)
    assert anchors == ["references-2", "references-3", "overview-2", "costs"]


def test_a_treatment_has_one_section_of_each_kind_but_many_other_sections():
    treatment = make_treatment(sections=1)
    duplicate = TreatmentSection(treatment=treatment, kind="overview", body="Again.")
    with pytest.raises(ValidationError):
        duplicate.validate_constraints()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    for _ in range(2):
        TreatmentSection(treatment=treatment, kind="other", heading="More", body="x").save()
    assert treatment.sections.filter(kind="other").count() == 2


def test_section_text_is_required_except_where_the_page_lists_entries():
    treatment = make_treatment(sections=0)
    with pytest.raises(ValidationError) as error:
        TreatmentSection(treatment=treatment, kind="risks", body=" ").full_clean()
    assert "body_en" in error.value.message_dict  # the English text editors fill in
    TreatmentSection(treatment=treatment, kind="faq", body="").full_clean()
    TreatmentSection(treatment=treatment, kind="conditions", body="").full_clean()


def test_published_shows_only_published_treatments_whose_date_has_come():
    today = timezone.localdate()
    live = make_treatment(slug="live", published_on=today)
    make_treatment(slug="draft", status=Treatment.Status.DRAFT)
    scheduled = make_treatment(slug="later", published_on=today + timedelta(days=1))
    assert list(Treatment.objects.published()) == [live]
    assert live.is_live and not scheduled.is_live


def test_review_overdue_lists_treatments_past_their_review_date():
    today = timezone.localdate()
    overdue = make_treatment(slug="old", next_review_due=today - timedelta(days=1))
    make_treatment(slug="fresh", next_review_due=today + timedelta(days=10))
    make_treatment(slug="never")
    assert list(Treatment.objects.review_overdue()) == [overdue]
    assert overdue.is_review_overdue


def test_a_hero_image_needs_a_description_and_its_size_is_stored(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, "PNG")
    treatment = make_treatment(sections=0)
    treatment.hero_image.save("knee.png", ContentFile(buffer.getvalue()), save=False)
    with pytest.raises(ValidationError) as error:
        treatment.full_clean()
    assert "hero_image_alt_en" in error.value.message_dict
    treatment.hero_image_alt = "A knee"
    treatment.full_clean()
    treatment.save()
    treatment.refresh_from_db()
    assert (treatment.hero_image_width, treatment.hero_image_height) == (40, 20)


def test_site_settings_default_notice_is_read_without_creating_a_row():
    assert SiteSettings.default_notice() == ("", "en")
    assert not SiteSettings.objects.exists()
    SiteSettings.objects.create(pk=1, default_regulatory_notice="Not FDA approved.")
    assert SiteSettings.default_notice() == ("Not FDA approved.", "en")


def test_conditions_are_grouped_by_body_area_in_a_fixed_order():
    for slug, area in [("b", BodyArea.OTHER), ("a", BodyArea.SPINE), ("c", BodyArea.KNEE)]:
        Condition.objects.create(slug=slug, name=slug.upper(), body_area=area, description="x")
    groups = group_by_body_area(Condition.objects.all())
    assert [label for label, _ in groups] == ["Knee", "Back and spine", "Other areas"]


def test_footer_site_pages_have_short_addresses_and_others_live_under_info():
    assert SitePage(slug="privacy").get_absolute_url() == "/privacy/"
    assert SitePage(slug="patient-rights").get_absolute_url() == "/info/patient-rights/"


@pytest.mark.parametrize(
    "text, claims",
    [
        ("About 85 percent of people improve.", ["85 percent"]),
        ("Relief often starts in 6-8 weeks.", ["6-8 weeks"]),
        (
            "Relief often starts in six to eight weeks, for 90% of people.",
            ["six to eight weeks", "90%"],
        ),
        ("It can help 3 in 10 patients.", ["3 in 10"]),
        ("Most people feel better within a few days.", []),
        ("We opened our office in 2019 with one physician.", []),
    ],
)
def test_numeric_claims_are_found(text, claims):
    assert find_numeric_claims(text) == claims


def test_a_treatment_collects_claims_from_summary_sections_and_answers():
    treatment = make_treatment(
        sections=1, summary="Heals in 6 weeks.", body="Works 80% of the time."
    )
    treatment.faqs.create(question="When?", answer="After 2 to 3 months.")
    assert treatment.numeric_claims() == ["6 weeks", "80%", "2 to 3 months"]


@pytest.mark.parametrize(
    "word, syllables",
    [("knee", 1), ("plasma", 2), ("therapy", 3), ("injection", 3), ("regenerative", 5), ("PRP", 1)],
)
def test_syllables_come_from_the_bundled_hyphenation_dictionary(word, syllables):
    assert count_syllables(word) == syllables


def test_plain_text_reads_below_grade_8_and_dense_text_above():
    plain = grade_markdown(
        "We take a little blood from your arm. Then we spin it. It takes an hour."
    )
    dense = grade_markdown(
        "Autologous mesenchymal progenitor cell preparations demonstrate considerable "
        "heterogeneity in documented therapeutic effectiveness across musculoskeletal "
        "indications, necessitating individualized consideration of alternative interventions."
    )
    assert plain.grade < TARGET_GRADE and not plain.too_hard
    assert dense.grade > TARGET_GRADE and dense.too_hard


def test_list_items_and_paragraphs_count_as_sentences_but_wrapped_lines_do_not():
    result = grade_markdown("We will\ncheck your knee.\n\n- rest\n- ice")
    assert (result.sentences, result.words) == (3, 7)


def test_a_page_with_no_text_has_no_grade():
    assert grade_markdown("") is None
    assert make_treatment(sections=0, summary="").readability() is None


@pytest.mark.parametrize(
    "model, change",
    [
        ("Treatment", {"status": "retired"}),
        ("Treatment", {"last_reviewed": "2026-05-01", "next_review_due": "2026-04-01"}),
        ("TreatmentSection", {"kind": "sidebar"}),
        ("Condition", {"body_area": "elbow"}),
        ("OpeningHours", {"weekday": 7}),
    ],
)
def test_the_database_refuses_values_outside_the_choices_even_without_forms(offices, model, change):
    from django.apps import apps

    make_treatment()  # with a section of each kind
    Condition.objects.create(name="Knee pain", slug="knee-pain")
    rows = apps.get_model("pages", model).objects.all()
    assert rows.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(**change)
