from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from pages.models import Condition, SiteSettings, Treatment
from tests.factories import make_staff, make_treatment, sign_in

pytestmark = pytest.mark.django_db

HARD_TEXT = (
    "Autologous mesenchymal progenitor cell preparations demonstrate considerable "
    "heterogeneity in documented therapeutic effectiveness across musculoskeletal indications."
)


@pytest.fixture
def superuser_client(client):
    sign_in(client, User.objects.create_superuser("boss", password="unused-in-tests"))
    return client


# Admin shows these in each language (django-modeltranslation); the English one is "<name>_en".
TRANSLATED = {
    "title", "summary", "hero_image_alt", "regulatory_notice", "seo_title", "seo_description",
    "heading", "body", "question", "answer",
}  # fmt: skip


def english_names(row: dict) -> dict:
    return {f"{key}_en" if key in TRANSLATED else key: value for key, value in row.items()}


def treatment_form(*, sections=(), faqs=(), references=(), **fields) -> dict:
    """POST data for the treatment add/change form in admin, inlines included."""
    data = {
        "title": "Knee care",
        "slug": "knee-care",
        "summary": "Plain words about knees.",
        "status": "published",
        "published_on": "2026-01-05",
        "hero_image_alt": "",
        "reviewed_by": "",
        "last_reviewed": "",
        "next_review_due": "",
        "regulatory_notice": "",
        **fields,
    }
    data = english_names(data)
    for prefix, rows in [("sections", sections), ("faqs", faqs), ("references", references)]:
        data |= {
            f"{prefix}-TOTAL_FORMS": len(rows),
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
        for number, row in enumerate(rows):
            data |= {f"{prefix}-{number}-{key}": value for key, value in english_names(row).items()}
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_editor_is_warned_of_each_uncited_claim_and_a_new_page_stays_a_draft(superuser_client):
    data = treatment_form(
        sections=[
            {"kind": "recovery", "body": "Most people feel better in 6-8 weeks.", "sort_order": 1}
        ],
        faqs=[
            {"question": "Does it work?", "answer": "For 85 percent of people.", "sort_order": 1}
        ],
    )
    response = superuser_client.post(reverse("admin:pages_treatment_add"), data, follow=True)
    assert response.status_code == 200
    warnings = " ".join(messages_of(response))
    assert "2 sentence(s) state a number or a promise without citing a reference" in warnings
    assert "Most people feel better in 6-8 weeks." in warnings
    treatment = Treatment.objects.get(slug="knee-care")
    # New pages go live only once a clinical reviewer approves them (status is not a field).
    assert treatment.status == Treatment.Status.DRAFT
    assert treatment.sections.get().anchor == "recovery"
    claims = [claim.sentence for claim in treatment.unsupported_claims()]
    assert claims == ["Most people feel better in 6-8 weeks.", "For 85 percent of people."]


def test_no_claim_warning_once_each_claim_cites_a_reference(superuser_client):
    data = treatment_form(
        sections=[
            {
                "kind": "recovery",
                "body": "Most people feel better in 6-8 weeks [1].",
                "sort_order": 1,
            }
        ],
        references=[{"citation": "A study of knees, 2024.", "url": "", "sort_order": 1}],
    )
    response = superuser_client.post(reverse("admin:pages_treatment_add"), data, follow=True)
    assert not any("citing a reference" in message for message in messages_of(response))


def test_editor_is_warned_on_save_when_the_page_reads_above_grade_8(superuser_client):
    data = treatment_form(sections=[{"kind": "overview", "body": HARD_TEXT, "sort_order": 1}])
    response = superuser_client.post(reverse("admin:pages_treatment_add"), data, follow=True)
    assert any("Patient pages should read at grade 8" in m for m in messages_of(response))


def test_change_form_shows_a_reading_grade_per_section_and_for_the_whole_page(superuser_client):
    treatment = make_treatment(sections=1)
    treatment.sections.create(kind="risks", body=HARD_TEXT, sort_order=5)
    html = superuser_client.get(
        reverse("admin:pages_treatment_change", args=[treatment.pk])
    ).content.decode()
    assert html.count("plain enough") == 1  # the plain overview section
    assert html.count("harder than grade 8") == 2  # the hard section, and the whole page
    assert "Reading grade of the whole page" in html
    assert "View on site" in html


def test_treatment_list_filters_by_status_and_overdue_review(superuser_client):
    today = timezone.localdate()
    make_treatment(slug="old", title="Old page", next_review_due=today - timedelta(days=2))
    make_treatment(slug="fresh", title="Fresh page", next_review_due=today + timedelta(days=90))
    make_treatment(slug="draft", title="Draft page", status=Treatment.Status.DRAFT)
    changelist = reverse("admin:pages_treatment_changelist")
    overdue = superuser_client.get(changelist + "?review=overdue")
    assert [t.title for t in overdue.context["cl"].result_list] == ["Old page"]
    assert any("1 treatment page is overdue" in m for m in messages_of(overdue))
    drafts = superuser_client.get(changelist + "?status=draft")
    assert [t.title for t in drafts.context["cl"].result_list] == ["Draft page"]
    found = superuser_client.get(changelist + "?q=fresh")
    assert [t.title for t in found.context["cl"].result_list] == ["Fresh page"]


def test_treatments_due_for_review_have_their_own_list_in_admin(superuser_client):
    today = timezone.localdate()
    make_treatment(slug="old", title="Old page", next_review_due=today - timedelta(days=2))
    make_treatment(slug="fresh", title="Fresh page", next_review_due=today + timedelta(days=9))
    index = superuser_client.get(reverse("admin:index")).content.decode()
    assert "Treatments due for review" in index
    response = superuser_client.get(reverse("admin:pages_treatmentdueforreview_changelist"))
    assert [t.title for t in response.context["cl"].result_list] == ["Old page"]


@pytest.mark.parametrize(
    "model", ["treatment", "condition", "physician", "office", "sitepage", "sitesettings"]
)
def test_each_content_model_can_be_managed_in_admin(superuser_client, model):
    assert superuser_client.get(reverse(f"admin:pages_{model}_changelist")).status_code == 200
    assert superuser_client.get(reverse(f"admin:pages_{model}_add")).status_code == 200


def test_slugs_are_filled_in_from_the_title_as_editors_type(superuser_client):
    html = superuser_client.get(reverse("admin:pages_treatment_add")).content.decode()
    assert "data-prepopulated-fields" in html and "#id_slug" in html


def test_there_is_only_ever_one_site_settings_row(superuser_client):
    SiteSettings.load()
    assert superuser_client.get(reverse("admin:pages_sitesettings_add")).status_code == 403


def test_content_editor_group_has_pages_and_redirect_permissions_and_nothing_else():
    group = Group.objects.get(name="Content editor")
    permissions = list(group.permissions.select_related("content_type"))
    # Redirects (app seo) are content work: editors add them for the old site's addresses.
    assert {p.content_type.app_label for p in permissions} == {"pages", "seo"}
    codenames = {p.codename for p in permissions}
    for model in apps.get_app_config("pages").get_models():
        assert f"change_{model._meta.model_name}" in codenames


def test_a_content_editor_manages_pages_but_sees_no_other_admin(client):
    editor = make_staff(groups=[Group.objects.get(name="Content editor")])
    sign_in(client, editor)
    index = client.get(reverse("admin:index"))
    assert [app["app_label"] for app in index.context["app_list"]] == ["pages", "seo"]
    assert client.get(reverse("admin:pages_treatment_add")).status_code == 200
    assert client.get(reverse("admin:seo_redirect_add")).status_code == 200
    for model in admin.site._registry:
        if model._meta.app_label not in {"pages", "seo"}:
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            assert client.get(url).status_code == 403, url


def test_a_content_editor_can_preview_drafts(client):
    draft = make_treatment(status=Treatment.Status.DRAFT)
    sign_in(client, make_staff(groups=[Group.objects.get(name="Content editor")]))
    assert "Draft preview" in client.get(draft.get_absolute_url()).content.decode()


def test_condition_admin_filters_by_body_area(superuser_client):
    Condition.objects.create(slug="a", name="Knee thing", body_area="knee", description="x")
    Condition.objects.create(slug="b", name="Hip thing", body_area="hip", description="x")
    response = superuser_client.get(reverse("admin:pages_condition_changelist") + "?body_area=hip")
    assert [c.name for c in response.context["cl"].result_list] == ["Hip thing"]


def test_the_content_editor_group_covers_every_pages_model():
    from django.apps import apps as django_apps

    group = Group.objects.get(name="Content editor")
    models_covered = {p.content_type.model_class() for p in group.permissions.all()}
    assert set(django_apps.get_app_config("pages").get_models()) <= models_covered
