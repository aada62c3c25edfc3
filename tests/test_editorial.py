"""The editorial workflow: drafts of live pages, clinician sign-off, history, scheduled pages."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bookings.forms import ConsultationRequestForm
from pages import drafts
from pages.models import (
    ClaimApproval,
    Condition,
    EditorialEvent,
    Physician,
    SitePage,
    Treatment,
)
from search.indexing import rebuild_index
from search.models import SearchDocument
from seo.models import Redirect
from tests.factories import (
    content_editor_group,
    make_physician,
    make_reviewer,
    make_staff,
    make_treatment,
    sign_in,
)
from tests.test_admin_roundtrip import form_data

pytestmark = pytest.mark.django_db

OLD = "Rest helps."
NEW = "Gentle walking helps."
SEED_CLAIM = "Stem cell treatments have been shown to have an 85 percent success rate."


@pytest.fixture
def editor():
    return make_staff("editor", groups=[content_editor_group()])


@pytest.fixture
def reviewer():
    return make_reviewer()


@pytest.fixture
def live(db):
    return make_treatment(slug="knee-care", title="Knee care", sections=2, references=2)


def admin_change(client, obj):
    return reverse(f"admin:pages_{obj._meta.model_name}_change", args=[obj.pk])


def edit_in_admin(client, obj, replace: tuple[str, str], *, submit=False):
    """Open the admin form of obj, change one text the way an editor types, and save."""
    url = admin_change(client, obj)
    page = client.get(url, follow=True)
    data = form_data(page.content.decode())
    old, new = replace
    changed = False
    for name, values in data.items():
        if any(old in value for value in values):
            data[name] = [value.replace(old, new) for value in values]
            changed = True
    assert changed, f"{old!r} is not in the form"
    data["_submit_for_review" if submit else "_save"] = [""]
    return client.post(page.wsgi_request.path, data)


def public_text(client, treatment) -> str:
    client.logout()
    return client.get(treatment.get_absolute_url()).content.decode()


# --- Drafts of live pages.


def test_an_editor_saving_a_live_page_makes_a_draft_and_the_public_page_stays(client, editor, live):
    sign_in(client, editor)
    response = edit_in_admin(client, live, (OLD, NEW))
    assert response.status_code == 302
    draft = Treatment.objects.get(draft_of=live)
    assert draft.status == Treatment.Status.DRAFT
    assert NEW in draft.sections.first().body and OLD in live.sections.first().body
    html = public_text(client, live)
    assert OLD in html and NEW not in html
    # The live page's id and address never change; a second edit goes into the same draft.
    sign_in(client, editor)
    assert client.get(admin_change(client, live))["Location"] == admin_change(client, draft)
    edit_in_admin(client, draft, ("Ice can ease", "Cold packs can ease"))
    assert Treatment.objects.filter(draft_of=live).count() == 1


def test_saving_a_live_page_unchanged_makes_no_draft(client, editor, live):
    sign_in(client, editor)
    url = admin_change(client, live)
    data = form_data(client.get(url).content.decode())
    response = client.post(url, {**data, "_save": [""]}, follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert not Treatment.objects.filter(draft_of=live).exists()


def test_the_preview_shows_the_draft_in_the_public_layout_only_to_staff_and_never_cached(
    client, editor, live
):
    draft = drafts.start_draft(page=live)
    section = draft.sections.first()
    section.body = NEW
    section.save()
    preview = draft.preview_url()
    assert preview == "/treatments/knee-care/draft/"
    assert client.get(preview).status_code == 404  # the public never sees a draft
    sign_in(client, editor)
    response = client.get(preview)
    html = response.content.decode()
    assert response.status_code == 200 and NEW in html
    assert "These are changes to a live page" in html
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in html


def test_drafts_never_reach_lists_sitemap_search_or_the_consultation_form(client, live):
    draft = drafts.start_draft(page=live)
    draft.title = "Knee care (draft title)"
    draft.save()
    condition_draft = drafts.start_draft(
        page=Condition.objects.create(slug="sore-knee", name="Sore knee", description="x")
    )
    condition_draft.name = "Draft knee name"
    condition_draft.save()
    rebuild_index()
    assert "draft title" not in client.get("/treatments/").content.decode()
    assert "Draft knee name" not in client.get("/conditions/").content.decode()
    assert client.get("/conditions/sore-knee/").status_code == 200
    sitemap = client.get("/sitemap.xml").content.decode()
    assert sitemap.count("/treatments/knee-care/") == sitemap.count("/conditions/sore-knee/")
    assert "draft" not in sitemap
    ElementTree.fromstring(sitemap.encode())  # still well formed
    assert not SearchDocument.objects.filter(title__icontains="draft").exists()
    choices = list(ConsultationRequestForm().fields["treatment"].queryset)
    assert choices == [live]


def test_a_slug_is_unique_among_live_pages_but_a_draft_may_keep_its_pages(client, editor, live):
    drafts.start_draft(page=live)  # same slug as its live page: allowed
    other = make_treatment(slug="hip-care", title="Hip care")
    draft = drafts.start_draft(page=other)
    draft.slug = "knee-care"
    with pytest.raises(Exception, match="already uses this address"):
        draft.full_clean()


def test_a_slug_change_makes_a_redirect_only_when_it_is_published(client, reviewer, live):
    draft = drafts.start_draft(page=live)
    draft.slug = "knee-pain-care"
    draft.save()
    assert not Redirect.objects.exists()
    assert client.get("/treatments/knee-care/").status_code == 200
    drafts.approve(draft=draft, user=reviewer)
    assert client.get("/treatments/knee-pain-care/").status_code == 200
    assert client.get("/treatments/knee-care/")["Location"] == "/treatments/knee-pain-care/"


# --- Sign-off.


def test_editors_cannot_publish_and_the_group_never_gets_the_permission(client, editor, live):
    draft = drafts.start_draft(page=live)
    with pytest.raises(drafts.WorkflowError):
        drafts.approve(draft=draft, user=editor)
    sign_in(client, editor)
    review = reverse("admin:pages_treatment_review", args=[draft.pk])
    assert client.get(review).status_code == 403
    group = content_editor_group()
    from django.contrib.auth.models import Permission

    group.permissions.add(Permission.objects.get(codename="publish_treatment"))
    call_command("migrate", verbosity=0)  # the groups are put back in step after every migrate
    assert not group.permissions.filter(codename__startswith="publish_").exists()


def test_a_reviewer_approves_and_the_draft_goes_live_on_the_same_row(
    client, editor, reviewer, live, django_capture_on_commit_callbacks
):
    sign_in(client, editor)
    edit_in_admin(client, live, (OLD, NEW), submit=True)
    draft = Treatment.objects.get(draft_of=live)
    assert draft.status == Treatment.Status.IN_REVIEW and draft.submitted_by == editor
    sign_in(client, reviewer)
    index = client.get(reverse("admin:index")).content.decode()
    review_url = reverse("admin:pages_treatment_review", args=[draft.pk])
    assert "Waiting for your review" in index and review_url in index
    page = client.get(review_url).content.decode()
    assert "<del>Rest</del>" in page and "<ins>Gentle walking</ins>" in page
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(review_url, {"comment": "Checked.", "_approve": ""})
    assert response.status_code == 302
    assert callbacks  # the page cache gets a new version once the publication commits
    live.refresh_from_db()
    assert NEW in live.sections.first().body
    assert live.reviewed_by == reviewer.physician_profiles.get()
    assert live.last_reviewed == timezone.localdate()
    assert live.next_review_due == timezone.localdate() + timedelta(days=365)
    assert not Treatment.objects.filter(draft_of=live).exists()
    assert NEW in public_text(client, live)
    actions = [event.action for event in drafts.history(live)]
    assert actions == ["published", "published", "submitted"]  # newest first


def test_a_reviewer_sends_a_draft_back_with_a_comment_the_editor_sees(
    client, editor, reviewer, live
):
    draft = drafts.submit_for_review(draft=drafts.start_draft(page=live), user=editor)
    sign_in(client, reviewer)
    review_url = reverse("admin:pages_treatment_review", args=[draft.pk])
    empty = client.post(review_url, {"comment": "", "_send_back": ""})
    assert "Please say what the editor should change" in empty.content.decode()
    client.post(review_url, {"comment": "Please soften the second sentence.", "_send_back": ""})
    draft.refresh_from_db()
    assert draft.status == Treatment.Status.DRAFT
    sign_in(client, editor)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Sent back with a comment" in index and "Please soften" in index
    form = client.get(admin_change(client, draft)).content.decode()
    assert "The reviewer sent this draft back" in form


def test_a_reviewer_without_a_physician_profile_cannot_sign_a_treatment_off(live):
    reviewer = make_reviewer("unlinked")
    Physician.objects.filter(user=reviewer).update(user=None)
    with pytest.raises(drafts.WorkflowError, match="not linked to a physician"):
        drafts.approve(draft=drafts.start_draft(page=live), user=reviewer)


def test_new_pages_start_as_drafts_and_go_live_once_approved(client, editor, reviewer):
    sign_in(client, editor)
    data = {
        "name_en": "Elbow pain",
        "slug": "elbow-pain",
        "body_area": "other",
        "description_en": "Pain in the elbow.",
        "_save": "",
    }
    assert client.post(reverse("admin:pages_condition_add"), data).status_code == 302
    condition = Condition.objects.get(slug="elbow-pain")
    assert condition.status == Condition.Status.DRAFT
    client.logout()
    assert client.get("/conditions/elbow-pain/").status_code == 404
    drafts.approve(draft=condition, user=reviewer)
    assert client.get("/conditions/elbow-pain/").status_code == 200


def test_site_pages_and_physician_profiles_have_drafts_too(client, reviewer):
    page = SitePage.objects.create(title="About", slug="about", body="We are small.")
    physician = make_physician(slug="ana-ruiz", name="Ana Ruiz", bio="Treats knees.")
    for live, field, value in [(page, "body", "We are a small team."), (physician, "bio", "X")]:
        draft = drafts.start_draft(page=live)
        setattr(draft, field, value)
        draft.save()
        assert getattr(type(live).objects.get(pk=live.pk), field) != value
        drafts.approve(draft=draft, user=reviewer)
        assert getattr(type(live).objects.get(pk=live.pk), field) == value
    assert "We are a small team." in client.get("/about/").content.decode()


# --- Scheduling.


def test_an_approved_draft_goes_live_at_its_time_once_whoever_runs_the_command(
    client, editor, reviewer, live
):
    draft = drafts.start_draft(page=live)
    section = draft.sections.first()
    section.body = NEW
    section.save()
    later = timezone.now() + timedelta(hours=2)
    approved = drafts.approve(draft=draft, user=reviewer, go_live_at=later)
    assert approved.status == Treatment.Status.APPROVED
    call_command("publish_scheduled", verbosity=0)
    assert NEW not in public_text(client, live)  # not yet
    assert drafts.publish_due(now=later + timedelta(minutes=1)) != []
    assert drafts.publish_due(now=later + timedelta(minutes=1)) == []  # a second run: nothing
    assert NEW in public_text(client, live)
    assert Treatment.objects.get(pk=live.pk).reviewed_by == reviewer.physician_profiles.get()


def test_a_draft_published_by_one_run_is_not_published_again_by_another(live, reviewer):
    draft = drafts.start_draft(page=live)
    stale = Treatment.objects.get(pk=draft.pk)  # what a second, overlapping run had read
    assert drafts.publish(draft=draft, user=reviewer) is not None
    assert drafts.publish(draft=stale, user=reviewer) is None
    published = EditorialEvent.objects.for_page(live).filter(action="published")
    assert published.count() == 2  # the version before, and this one: not three


# --- History.


def test_every_version_is_kept_compared_and_an_old_one_restored_as_a_new_draft(
    client, reviewer, live
):
    draft = drafts.start_draft(page=live)
    section = draft.sections.first()
    section.body = NEW
    section.save()
    drafts.approve(draft=draft, user=reviewer, comment="Softer wording.")
    events = drafts.history(live)
    first = events[-1]
    assert first.revision.comment.startswith("The page as it was")
    sign_in(client, reviewer)
    versions = client.get(reverse("admin:pages_treatment_versions", args=[live.pk]))
    assert "Softer wording." in versions.content.decode()
    compare = client.get(
        reverse("admin:pages_treatment_compare", args=[live.pk]),
        {"a": first.pk, "b": "live"},
    ).content.decode()
    assert "<del>Rest</del>" in compare and "<ins>Gentle walking</ins>" in compare
    restore = reverse("admin:pages_treatment_restore", args=[live.pk, first.pk])
    assert client.get(restore).status_code == 403  # only a POST restores
    response = client.post(restore)
    restored = Treatment.objects.get(draft_of=live)
    assert response["Location"] == admin_change(client, restored)
    assert OLD in restored.sections.first().body
    assert NEW in Treatment.objects.get(pk=live.pk).sections.first().body  # live unchanged
    drafts.approve(draft=restored, user=reviewer)
    assert OLD in public_text(client, live)
    assert [event.action for event in drafts.history(live)][:2] == ["published", "restored"]


# --- Claims.


def test_the_seed_claim_pasted_into_a_page_with_references_is_blocked(reviewer, live):
    draft = drafts.start_draft(page=live)
    recovery = draft.sections.first()
    recovery.body = f"{recovery.body} {SEED_CLAIM}"
    recovery.save()
    claims = draft.unsupported_claims()
    assert [(claim.sentence, claim.language) for claim in claims] == [(SEED_CLAIM, "English")]
    with pytest.raises(drafts.WorkflowError, match="85 percent success rate"):
        drafts.approve(draft=draft, user=reviewer)
    assert Treatment.objects.filter(draft_of=live).exists()  # nothing went live
    recovery.body = recovery.body.replace("success rate.", "success rate [1].")
    recovery.save()
    assert draft.unsupported_claims() == []
    drafts.approve(draft=draft, user=reviewer)


def test_the_check_reads_spanish_and_knows_insurance_from_safety(live):
    section = live.sections.first()
    section.body_es = (
        "El tratamiento es seguro. ¿Lo paga su seguro médico? Tiene una tasa de éxito alta."
    )
    section.save()
    flagged = [claim.sentence for claim in live.unsupported_claims()]
    assert flagged == ["El tratamiento es seguro.", "Tiene una tasa de éxito alta."]


def test_a_citation_must_name_a_listed_reference(live):
    section = live.sections.first()
    section.body = "It heals in 6 weeks [3]."  # the page lists two references
    section.save()
    [claim] = live.unsupported_claims()
    assert claim.problem == "unknown_reference"


def test_a_reviewer_may_let_a_sentence_stand_only_with_a_reason_kept_in_the_history(
    client, reviewer, live
):
    draft = drafts.start_draft(page=live)
    section = draft.sections.first()
    section.body = "Most people go home in 1 hour."
    section.save()
    sign_in(client, reviewer)
    review_url = reverse("admin:pages_treatment_review", args=[draft.pk])
    page = client.get(review_url).content.decode()
    assert "Most people go home in 1 hour." in page and "reason_0" in page
    blocked = client.post(review_url, {"_approve": "", "reason_0": ""})
    assert blocked.status_code == 200 and "without a citation" in blocked.content.decode()
    reason = "Our own visit times; no study needed."
    client.post(review_url, {"_approve": "", "reason_0": reason})
    assert "Most people go home in 1 hour." in public_text(client, live)
    approval = ClaimApproval.objects.get()
    assert approval.reason == reason and approval.approved_by == reviewer
    assert reason in drafts.history(live)[0].revision.comment


def test_citation_markers_link_to_the_numbered_reference_list(client, live):
    section = live.sections.first()
    section.body = "It may help some knees [2]."
    section.body_es = "Puede ayudar a algunas rodillas [2]."
    section.save()
    english = client.get(live.get_absolute_url()).content.decode()
    assert '<a href="#ref-2" aria-label="Reference 2">[2]</a>' in english
    assert '<li id="ref-2">' in english
    spanish = client.get("/es" + live.get_absolute_url()).content.decode()
    assert 'aria-label="Referencia 2"' in spanish


def test_the_admin_lists_each_uncited_sentence_with_its_section(client, editor, live):
    section = live.sections.first()
    section.body = SEED_CLAIM
    section.save()
    sign_in(client, editor)
    html = client.get(admin_change(client, live)).content.decode()
    assert "1 sentence(s) need a citation" in html
    assert f"Overview (English): “{SEED_CLAIM}”" in html


# --- Reviews that come due.


def test_reviewers_hear_once_of_pages_coming_due_and_overdue_pages_are_highlighted(
    client, reviewer
):
    today = timezone.localdate()
    make_treatment(slug="soon", title="Soon page", next_review_due=today + timedelta(days=20))
    make_treatment(slug="late", title="Late page", next_review_due=today - timedelta(days=3))
    make_treatment(slug="fine", title="Fine page", next_review_due=today + timedelta(days=90))
    call_command("send_review_reminders", verbosity=0)
    call_command("send_review_reminders", verbosity=0)  # overlapping or repeated: no repeat
    [email] = mail.outbox
    assert email.to == [reviewer.email]
    assert "Late page: review OVERDUE" in email.body and "Soon page: review due" in email.body
    assert "Fine page" not in email.body
    sign_in(client, reviewer)
    listing = client.get(reverse("admin:pages_treatment_changelist")).content.decode()
    assert "⚠ Overdue since" in listing and "Due soon:" in listing


def test_an_overdue_page_says_its_review_is_under_way_instead_of_a_past_date(client):
    today = timezone.localdate()
    late = make_treatment(
        slug="late",
        last_reviewed=today - timedelta(days=400),
        next_review_due=today - timedelta(days=35),
    )
    english = client.get(late.get_absolute_url()).content.decode()
    assert "Its next medical review is under way." in english and "Next review due" not in english
    spanish = client.get("/es" + late.get_absolute_url()).content.decode()
    assert "Su próxima revisión médica está en curso." in spanish


def test_only_a_reviewer_takes_a_page_off_the_site_and_it_is_kept_in_the_history(
    client, editor, reviewer, live
):
    changelist = reverse("admin:pages_treatment_changelist")
    action = {"action": "take_off_the_site", "_selected_action": [live.pk]}
    sign_in(client, editor)
    assert "take_off_the_site" not in client.get(changelist).content.decode()
    client.post(changelist, action)
    assert client.get(live.get_absolute_url()).status_code == 200  # still live
    sign_in(client, reviewer)
    response = client.post(changelist, action, follow=True)
    assert "is off the site" in response.content.decode()
    client.logout()
    assert client.get(live.get_absolute_url()).status_code == 404
    assert drafts.history(live)[0].action == "unpublished"
