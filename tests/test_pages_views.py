import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pages.models import BodyArea, Condition, Reference, SitePage, SiteSettings, Treatment
from tests.factories import make_physician, make_staff, make_treatment, sign_in
from tests.test_pages_models import HOSTILE_MARKDOWN, assert_harmless

pytestmark = pytest.mark.django_db

# One query each: the treatment with its physician, sections, FAQs, references, conditions,
# the site-wide notice, and the offices for the header and footer.
TREATMENT_PAGE_QUERIES = 7


def page_html(client, path, status=200) -> str:
    response = client.get(path)
    assert response.status_code == status, path
    return response.content.decode()


def ids_in(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def test_treatment_list_shows_published_treatments_only(client):
    make_treatment(slug="live", title="Live treatment", summary="Plain summary.")
    make_treatment(slug="draft", title="Draft treatment", status=Treatment.Status.DRAFT)
    make_treatment(
        slug="later", title="Later treatment", published_on=date.today() + timedelta(days=3)
    )
    html = page_html(client, reverse("pages:treatment_list"))
    assert "Live treatment" in html and "Plain summary." in html
    assert "Draft treatment" not in html and "Later treatment" not in html
    assert 'href="/treatments/live/"' in html


def test_treatment_page_has_contents_that_link_to_each_section(client):
    treatment = make_treatment(sections=9, faqs=2, references=1)
    html = page_html(client, treatment.get_absolute_url())
    ids = ids_in(html)
    assert len(ids) == len(set(ids)), "ids on the page must be unique"
    contents = html.split('id="on-this-page"')[1].split("</nav>")[0]
    targets = re.findall(r'href="#([^"]+)"', contents)
    assert targets == [section.anchor for section in treatment.sections.all()] + ["references"]
    assert all(target in ids for target in targets)
    assert "More about it 8" in contents


def test_treatment_page_shows_summary_faq_conditions_review_references_and_disclaimer(client):
    physician = make_physician(name="Ana Ruiz", slug="ana-ruiz")
    treatment = make_treatment(
        summary="Made from your own blood.",
        sections=7,
        faqs=2,
        conditions=2,
        reviewed_by=physician,
        last_reviewed=date(2026, 3, 2),
        next_review_due=date(2027, 3, 2),
    )
    Reference.objects.create(
        treatment=treatment, citation="OrthoInfo: PRP", url="https://example.org/prp"
    )
    html = page_html(client, treatment.get_absolute_url())
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert "Made from your own blood." in html
    assert "Question 0?" in html and "Question 1?" in html
    assert 'href="/conditions/condition-0/"' in html
    assert "Reviewed by Dr. Ana Ruiz, March 2, 2026. Next review due March 2, 2027." in text
    assert 'href="/physicians/ana-ruiz/"' in html
    assert '<a href="https://example.org/prp">OrthoInfo: PRP</a>' in html
    assert 'href="/medical-disclaimer/"' in html and "not medical advice" in html


def test_faq_and_conditions_still_show_without_a_section_of_their_own(client):
    treatment = make_treatment(sections=1, faqs=1, conditions=1)
    html = page_html(client, treatment.get_absolute_url())
    assert 'id="faq"' in html and 'href="#faq"' in html and "Question 0?" in html
    assert 'id="conditions"' in html and 'href="/conditions/condition-0/"' in html


def test_request_a_consultation_link_preselects_the_treatment(client):
    treatment = make_treatment(slug="stem-cell-therapy")
    html = page_html(client, treatment.get_absolute_url())
    assert re.search(r'href="[^"]*consultation/\?treatment=stem-cell-therapy"', html)


def test_regulatory_notice_is_the_treatments_own_or_the_site_default(client):
    SiteSettings.objects.create(pk=1, default_regulatory_notice="Site-wide FDA notice.")
    own = make_treatment(slug="own", regulatory_notice="PRP is not FDA approved for this.")
    default = make_treatment(slug="default")
    own_html = page_html(client, own.get_absolute_url())
    default_html = page_html(client, default.get_absolute_url())
    assert "PRP is not FDA approved for this." in own_html
    assert "Site-wide FDA notice." not in own_html
    assert "Site-wide FDA notice." in default_html
    # Near the top: before the first section.
    assert own_html.index("PRP is not FDA approved") < own_html.index('id="overview"')


def test_hostile_markdown_never_reaches_the_page(client):
    treatment = make_treatment(sections=1, body=HOSTILE_MARKDOWN)
    treatment.faqs.create(question="Is it safe?", answer=HOSTILE_MARKDOWN)
    html = page_html(client, treatment.get_absolute_url())
    main = html.split('id="main-content"')[1].split("</main>")[0]
    assert "Styled" in main
    assert_harmless(main)


def test_drafts_and_scheduled_treatments_are_not_found_by_the_public(client):
    draft = make_treatment(slug="draft", status=Treatment.Status.DRAFT)
    scheduled = make_treatment(slug="later", published_on=date.today() + timedelta(days=1))
    page_html(client, draft.get_absolute_url(), status=404)
    page_html(client, scheduled.get_absolute_url(), status=404)


def test_staff_without_the_change_permission_cannot_preview(client):
    draft = make_treatment(slug="draft", status=Treatment.Status.DRAFT)
    sign_in(client, make_staff(permissions=["pages.view_treatment"]))
    page_html(client, draft.get_absolute_url(), status=404)


def test_editors_preview_a_draft_with_a_visible_banner_that_is_never_cached(client):
    draft = make_treatment(slug="draft", title="Draft page", status=Treatment.Status.DRAFT)
    sign_in(client, make_staff(permissions=["pages.change_treatment"]))
    response = client.get(draft.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Draft preview." in html and "the public cannot see it" in html
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in html


def test_editors_preview_a_scheduled_treatment_and_see_when_it_goes_live(client):
    later = timezone.localdate() + timedelta(days=5)
    scheduled = make_treatment(slug="later", published_on=later)
    sign_in(client, make_staff(permissions=["pages.change_treatment"]))
    html = page_html(client, scheduled.get_absolute_url())
    assert "Draft preview." in html and f'datetime="{later:%Y-%m-%d}"' in html


def test_a_live_treatment_has_no_preview_banner_even_for_editors(client):
    treatment = make_treatment()
    sign_in(client, make_staff(permissions=["pages.change_treatment"]))
    assert "Draft preview" not in page_html(client, treatment.get_absolute_url())


def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("sections", [2, 30])
def test_treatment_page_needs_a_fixed_number_of_queries(
    client, offices, django_assert_max_num_queries, sections
):
    treatment = make_treatment(sections=sections, faqs=sections, conditions=sections // 2)
    with django_assert_max_num_queries(TREATMENT_PAGE_QUERIES):
        html = page_html(client, treatment.get_absolute_url())
    assert html.count('class="treatment-section') == sections


def test_treatment_page_queries_do_not_grow_with_its_content(client, offices):
    small = make_treatment(slug="small", sections=2, faqs=1, conditions=1)
    large = make_treatment(slug="large", sections=30, faqs=30, conditions=15, references=10)
    assert count_queries(client, small.get_absolute_url()) == count_queries(
        client, large.get_absolute_url()
    )


@pytest.mark.parametrize(
    "path, most",
    [
        ("/", 2),
        ("/treatments/", 2),
        ("/conditions/", 2),
        ("/conditions/condition-0/", 3),
        ("/physicians/test-person/", 3),
        ("/privacy/", 2),
        ("/locations/", 3),
        ("/locations/encino/", 4),  # the office, its hours, its physicians, the header's offices
    ],
)
def test_other_pages_need_a_fixed_number_of_queries(
    client, offices, django_assert_max_num_queries, path, most
):
    physician = make_physician()
    for number in range(6):
        make_treatment(slug=f"t{number}", sections=5, conditions=4, reviewed_by=physician)
    SitePage.objects.create(title="Privacy notice", slug="privacy", body="We keep little.")
    with django_assert_max_num_queries(most):
        page_html(client, path)


def test_condition_list_groups_conditions_by_body_area(client):
    Condition.objects.create(
        slug="tear", name="Rotator cuff tear", body_area=BodyArea.SHOULDER, description="x"
    )
    Condition.objects.create(
        slug="knee-oa", name="Knee osteoarthritis", body_area=BodyArea.KNEE, description="y"
    )
    html = page_html(client, reverse("pages:condition_list"))
    assert html.index(">Knee</h2>") < html.index("Knee osteoarthritis")
    assert html.index("Knee osteoarthritis") < html.index(">Shoulder</h2>")
    assert html.index(">Shoulder</h2>") < html.index("Rotator cuff tear")


def test_condition_page_lists_only_published_treatments_for_it(client):
    live = make_treatment(slug="live", title="Live one", conditions=1)
    draft = make_treatment(
        slug="draft", title="Draft one", status=Treatment.Status.DRAFT, conditions=1
    )
    condition = live.conditions.get()
    assert draft.conditions.get() == condition
    html = page_html(client, condition.get_absolute_url())
    assert "Live one" in html and "Draft one" not in html
    assert "Part of the body: Knee" in html


def test_physician_page_shows_bio_and_the_published_pages_they_reviewed(client):
    physician = make_physician(bio="Treats **knees**.", credentials="MD")
    make_treatment(slug="live", title="Live one", reviewed_by=physician)
    make_treatment(
        slug="draft", title="Draft one", reviewed_by=physician, status=Treatment.Status.DRAFT
    )
    html = page_html(client, physician.get_absolute_url())
    assert "<strong>knees</strong>" in html and "Live one" in html and "Draft one" not in html


def test_footer_links_lead_to_the_site_pages(client):
    for slug in SitePage.SHORT_SLUGS:
        SitePage.objects.create(title=f"Page {slug}", slug=slug, body=f"Text of {slug}.")
    html = page_html(client, "/")
    footer = html.split("<footer")[1]
    for slug in SitePage.SHORT_SLUGS:
        assert f'href="/{slug}/"' in footer
        assert f"Text of {slug}." in page_html(client, f"/{slug}/")


def test_other_site_pages_live_under_info_and_short_pages_have_one_address(client):
    SitePage.objects.create(title="Patient rights", slug="patient-rights", body="Rights.")
    SitePage.objects.create(title="Privacy", slug="privacy", body="Privacy.")
    assert "Rights." in page_html(client, "/info/patient-rights/")
    response = client.get("/info/privacy/")
    assert response.status_code == 301 and response["Location"] == "/privacy/"


@pytest.mark.parametrize(
    "path", ["/treatments/nothing/", "/conditions/nothing/", "/physicians/nobody/", "/privacy/"]
)
def test_missing_content_gets_the_friendly_404_page(client, path):
    assert "We could not find that page" in page_html(client, path, status=404)


def test_main_navigation_marks_the_current_section(client):
    treatment = make_treatment()
    list_html = page_html(client, "/treatments/")
    detail_html = page_html(client, treatment.get_absolute_url())
    assert re.search(r'href="/treatments/"\s+aria-current="page"', list_html)
    assert re.search(r'href="/treatments/"\s+aria-current="true"', detail_html)
    assert not re.search(r'href="/conditions/"\s+aria-current', detail_html)
