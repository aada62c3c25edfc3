"""Drafts of live pages, clinician sign-off and the revision history: the editorial workflow.

A page patients see is a live row. Editors change a copy of it, its draft (a row of the same
model with `draft_of` set, and its own sections, FAQs and references). A clinical reviewer
approves the draft: its content is copied onto the live row in one transaction (the live row
keeps its id and address), and the draft is removed. django-reversion keeps every submitted and
published version with who, when and the comment; EditorialEvent ties each to its page.
"""

import logging
from datetime import datetime

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from modeltranslation.translator import NotRegistered, translator

from .models import (
    REVIEW_PERIOD,
    ClaimApproval,
    EditorialEvent,
    Physician,
    PublicationStatus,
    Publishable,
    Treatment,
)

logger = logging.getLogger(__name__)

Status = PublicationStatus

# The sections, FAQs and references of a page, copied with it.
CHILD_RELATIONS = {Treatment: ("sections", "faqs", "references")}
# Fields that say where a row is in the workflow, not what the page says.
WORKFLOW_FIELDS = {
    "status",
    "draft_of",
    "go_live_at",
    "submitted_by",
    "submitted_at",
    "review_note",
}
# Kept from the live row when a draft is published: who the physician's account is.
LIVE_ONLY_FIELDS = {"user", "published_on"}


class WorkflowError(Exception):
    """A step the editorial workflow does not allow, with a message for the person trying."""


def can_publish(user, model) -> bool:
    return user.has_perm(f"{model._meta.app_label}.publish_{model._meta.model_name}")


def reviewer_physician(user) -> Physician | None:
    """The physician profile linked to a staff account: who signs off as "Reviewed by"."""
    if not user or not user.is_authenticated:
        return None
    return Physician.objects.pages().filter(user=user).first()


def translated_base_names(model) -> set[str]:
    """Fields django-modeltranslation splits into one column per language ("title")."""
    try:
        return set(translator.get_options_for_model(model).fields)
    except NotRegistered:
        return set()


def content_fields(model) -> list[models.Field]:
    """The fields an editor writes: what a draft changes and a comparison shows."""
    skip = WORKFLOW_FIELDS | LIVE_ONLY_FIELDS | translated_base_names(model)
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key
        and field.name not in skip
        and not getattr(field, "auto_now", False)
        and field.name != "draft_of"
    ]


def child_fk_name(model, relation: str) -> str:
    return model._meta.get_field(relation).field.name


def page_type(model) -> ContentType:
    return ContentType.objects.get_for_model(model)  # a proxy's pages share their model's


# --- Starting and saving drafts.


@transaction.atomic
def start_draft(*, page: Publishable) -> Publishable:
    """The draft of a live page, made on first edit as a copy of it with all its parts."""
    if page.is_draft:
        return page  # a new page, never published, is its own draft
    existing = page.draft_or_none()
    if existing is not None:
        return existing
    model = type(page)
    live = model.objects.select_for_update().get(pk=page.pk)
    draft = model.objects.get(pk=live.pk)  # a fresh copy of every column
    draft.pk = None
    draft.draft_of = live
    draft.status = Status.DRAFT
    draft.go_live_at = draft.submitted_by = draft.submitted_at = None
    draft.review_note = ""
    if isinstance(draft, Physician):
        draft.user = None  # the account belongs to the live profile
    try:
        with transaction.atomic():
            draft.save(force_insert=True)
    except IntegrityError:
        # Another editor started the draft at the same moment: use theirs.
        return model.objects.get(draft_of=live)
    for relation in CHILD_RELATIONS.get(model._meta.concrete_model, ()):
        fk_name = child_fk_name(model, relation)
        for child in getattr(live, relation).all():
            origin = child.pk
            child.pk = None
            child.draft_of_id = origin
            setattr(child, fk_name, draft)
            child.save(force_insert=True)
    for field in model._meta.many_to_many:
        getattr(draft, field.name).set(getattr(live, field.name).all())
    return draft


def apply_form_to_draft(*, draft, form, formsets=()) -> None:
    """Save an admin form made for the live page (and its inline formsets) into its draft.

    The live rows are left as they are: each change is made to the draft's copy of the row
    the form showed (matched by the copy's `draft_of`).
    """
    for name in form.changed_data:
        if name in LIVE_ONLY_FIELDS:
            continue  # not content: the admin saves it on the live row
        field = draft._meta.get_field(name)
        if field.many_to_many:
            getattr(draft, name).set(form.cleaned_data[name])
        elif not field.primary_key:
            field.save_form_data(draft, form.cleaned_data[name])
    draft.save()
    for formset in formsets:
        relation = formset.fk.remote_field.get_accessor_name()
        copies = {child.draft_of_id: child for child in getattr(draft, relation).all()}
        deleted = set(formset.deleted_forms)
        for child_form in formset.forms:
            original = child_form.instance
            if child_form in deleted:
                if original.pk in copies:
                    copies[original.pk].delete()
                continue
            if not child_form.has_changed():
                continue
            if original.pk is None:  # a new row: it belongs to the draft only
                setattr(original, formset.fk.name, draft)
                original.save(force_insert=True)
                continue
            copy = copies.get(original.pk)
            if copy is None:
                continue  # removed from the draft meanwhile
            for name in child_form.changed_data:
                field = copy._meta.get_field(name)
                if not field.primary_key and name != formset.fk.name:
                    field.save_form_data(copy, child_form.cleaned_data[name])
            copy.save()


# --- Review: submit, send back, approve.


@transaction.atomic
def submit_for_review(*, draft: Publishable, user, comment: str = "") -> Publishable:
    """An editor hands the draft to the clinical reviewers."""
    if draft.status == Status.PUBLISHED:
        raise WorkflowError("Only a draft can be submitted for review.")
    draft.status = Status.IN_REVIEW
    draft.submitted_by = user
    draft.submitted_at = timezone.now()
    draft.review_note = ""
    draft.save(update_fields=["status", "submitted_by", "submitted_at", "review_note"])
    record(
        page=draft.live_page,
        obj=draft,
        action=EditorialEvent.Action.SUBMITTED,
        user=user,
        comment=comment or "Submitted for review.",
    )
    return draft


@transaction.atomic
def send_back(*, draft: Publishable, user, note: str) -> Publishable:
    """A reviewer returns the draft to its editor, saying what to change."""
    if not note.strip():
        raise WorkflowError("Please say what the editor should change.")
    if draft.status == Status.PUBLISHED:
        raise WorkflowError("This page is already published.")
    draft.status = Status.DRAFT
    draft.go_live_at = None
    draft.review_note = note.strip()
    draft.save(update_fields=["status", "go_live_at", "review_note"])
    record(
        page=draft.live_page,
        obj=draft,
        action=EditorialEvent.Action.SENT_BACK,
        user=user,
        comment=note.strip(),
    )
    return draft


def approve(
    *,
    draft: Publishable,
    user,
    comment: str = "",
    go_live_at: datetime | None = None,
    claim_reasons: dict[str, str] | None = None,
) -> Publishable:
    """A clinical reviewer signs the draft off: it goes live now, or at `go_live_at`.

    Refused while a sentence states a claim without a citation, unless the reviewer wrote why
    it may stand (`claim_reasons`: sentence -> reason; kept with the page and in its history).
    """
    model = type(draft)
    if not can_publish(user, model):
        raise WorkflowError("Only a clinical reviewer can approve and publish this page.")
    if isinstance(draft, Treatment) and reviewer_physician(user) is None:
        raise WorkflowError(
            "Your account is not linked to a physician profile, so the page could not name "
            "you as its reviewer. Please ask an administrator to link it (Physicians → "
            "staff account)."
        )
    with transaction.atomic():
        notes = _approve_claims(draft=draft, user=user, claim_reasons=claim_reasons or {})
        full_comment = "\n".join(part for part in [comment.strip(), *notes] if part)
        if go_live_at is not None and go_live_at > timezone.now():
            claimed = _claim(draft, [Status.DRAFT, Status.IN_REVIEW, Status.APPROVED])
            if claimed is None:
                raise WorkflowError("Someone else has just published or changed this draft.")
            claimed.status = Status.APPROVED
            claimed.go_live_at = go_live_at
            claimed.review_note = ""
            claimed.save(update_fields=["status", "go_live_at", "review_note"])
            record(
                page=claimed.live_page,
                obj=claimed,
                action=EditorialEvent.Action.APPROVED,
                user=user,
                comment=full_comment
                or f"Approved to go live at {timezone.localtime(go_live_at):%Y-%m-%d %H:%M}.",
            )
            return claimed
        live = publish(draft=draft, user=user, comment=full_comment)
        if live is None:
            raise WorkflowError("Someone else has just published or changed this draft.")
        return live


def _approve_claims(*, draft, user, claim_reasons: dict[str, str]) -> list[str]:
    """Store the reviewer's reasons for uncited sentences; refuse if any claim is left."""
    if not hasattr(draft, "unsupported_claims"):
        return []
    page = draft.live_page
    notes = []
    for claim in draft.unsupported_claims():
        reason = (claim_reasons.get(claim.sentence) or "").strip()
        if reason and claim.problem == "no_citation":
            ClaimApproval.objects.create(
                page_type=page_type(type(page)),
                page_id=page.pk,
                sentence=" ".join(claim.sentence.split()),
                reason=reason,
                approved_by=user,
            )
            notes.append(f"Approved without a citation: “{claim.sentence}” Reason: {reason}")
    left = draft.unsupported_claims()
    if left:
        raise WorkflowError(
            f"{len(left)} sentence(s) state a claim without a citation: "
            + "; ".join(str(claim) for claim in left[:5])
            + ". Add a citation such as [1], or give a reason to let a sentence stand."
        )
    return notes


@transaction.atomic
def unpublish(*, page: Publishable, user, comment: str = "") -> Publishable:
    """A clinical reviewer takes a live page off the site; it can be published again later."""
    model = type(page)
    if not can_publish(user, model):
        raise WorkflowError("Only a clinical reviewer can take a page off the site.")
    if page.draft_or_none() is not None:
        raise WorkflowError(
            f"“{page}” has a draft. Publish or delete the draft first, then take the page off "
            "the site."
        )
    live = model.objects.select_for_update().filter(pk=page.pk, draft_of__isnull=True).first()
    if live is None or live.is_draft:
        raise WorkflowError(f"“{page}” is not on the site.")
    live.status = Status.DRAFT
    live.save(update_fields=["status"])  # a save: the page cache and search hear of it
    record(
        page=live,
        obj=live,
        action=EditorialEvent.Action.UNPUBLISHED,
        user=user,
        comment=comment or "Taken off the site.",
    )
    return live


def _claim(draft, statuses) -> Publishable | None:
    """Take the draft for this run, or None if another run took it first.

    A conditional UPDATE as the first write: when two runs overlap (two cron jobs, or two
    reviewers), the database lets only one of them change the row from these statuses.
    """
    model = type(draft)
    if not model.objects.filter(pk=draft.pk, status__in=statuses).update(status=Status.APPROVED):
        return None
    return model.objects.get(pk=draft.pk)


@transaction.atomic
def publish(*, draft: Publishable, user=None, comment: str = "") -> Publishable | None:
    """Put the draft live: copy it onto the live row (same id and address) and remove it.

    Returns the live row, or None if another run published the draft first.
    """
    claimed = _claim(draft, [Status.DRAFT, Status.IN_REVIEW, Status.APPROVED])
    if claimed is None:
        return None
    claimed.full_clean(validate_constraints=False)  # e.g. a slug another page took meanwhile
    model = type(claimed)
    draft_id, live_id = claimed.pk, claimed.draft_of_id
    today = timezone.localdate()
    if live_id is not None:
        _keep_first_version(model.objects.get(pk=live_id))
    live = claimed if live_id is None else _as_live_row(claimed)
    live.status = Status.PUBLISHED
    live.go_live_at = live.submitted_by = live.submitted_at = None
    live.review_note = ""
    if isinstance(live, Treatment):
        if live_id is None:
            live.published_on = today  # a new page goes live today
        physician = reviewer_physician(user)
        if physician is not None:
            live.reviewed_by = physician
            live.last_reviewed = today
            live.next_review_due = today + REVIEW_PERIOD
    live.save(force_update=True)
    if live_id is not None:
        model.objects.filter(pk=draft_id).delete()  # the draft, with its own rows
    record(
        page=live,
        obj=live,
        action=EditorialEvent.Action.PUBLISHED,
        user=user,
        comment=comment or "Published.",
    )
    return live


def _keep_first_version(live) -> None:
    """A page live before its history began (demo content, older pages) keeps that version."""
    published = EditorialEvent.objects.for_page(live).filter(action=EditorialEvent.Action.PUBLISHED)
    if not published.exists():
        record(
            page=live,
            obj=live,
            action=EditorialEvent.Action.PUBLISHED,
            comment="The page as it was before its editorial history began.",
        )


def _as_live_row(draft) -> Publishable:
    """The draft's content under the live row's id, its sections written into the live ones.

    The draft instance itself becomes the live row (its id swapped), so every column is
    copied as stored, without going through field descriptors.
    """
    model = type(draft)
    live = model.objects.select_for_update().get(pk=draft.draft_of_id)
    for relation in CHILD_RELATIONS.get(model._meta.concrete_model, ()):
        fk_name = child_fk_name(model, relation)
        live_ids = set(getattr(live, relation).values_list("pk", flat=True))
        parts = list(getattr(draft, relation).all())
        kept = {part.draft_of_id for part in parts if part.draft_of_id in live_ids}
        getattr(live, relation).exclude(pk__in=kept).delete()  # removed in the draft
        for part in parts:
            origin = part.draft_of_id if part.draft_of_id in kept else None
            part.pk = origin
            part.draft_of = None
            setattr(part, fk_name, live)
            if origin:
                part.save(force_update=True)
            else:
                part.save(force_insert=True)
    for field in model._meta.many_to_many:
        getattr(live, field.name).set(getattr(draft, field.name).all())
    for name in LIVE_ONLY_FIELDS:
        if hasattr(draft, name):
            field = model._meta.get_field(name)
            setattr(draft, field.attname, getattr(live, field.attname))
    draft.pk = live.pk
    draft.draft_of = None
    return draft


def publish_due(*, now=None) -> list[Publishable]:
    """Publish every approved draft whose go-live time has come (the publish_scheduled command).

    Safe to run twice at once: each draft is claimed by one run only.
    """
    published = []
    for model in publishable_models():
        for draft in model.objects.due_to_go_live(now):
            approver = _approver_of(draft)
            try:
                live = publish(draft=draft, user=approver, comment="Published at its set time.")
            except ValidationError:
                # e.g. another page took its address meanwhile: the others still go live.
                logger.exception("scheduled draft %s %s not published", model.__name__, draft.pk)
                continue
            if live is not None:
                published.append(live)
    return published


def _approver_of(draft):
    """Who approved a scheduled draft: the reviewer named on the page when it goes live."""
    event = (
        EditorialEvent.objects.for_page(draft.live_page)
        .filter(action=EditorialEvent.Action.APPROVED)
        .select_related("revision__user")
        .first()
    )
    return event.revision.user if event else None


def publishable_models() -> list[type[Publishable]]:
    from django.apps import apps

    return [
        model
        for model in apps.get_app_config("pages").get_models()
        if issubclass(model, Publishable) and not model._meta.proxy
    ]


# --- History.


def register_history() -> None:
    """Tell django-reversion which models it keeps versions of (with a page's sections).

    Called from the app's ready(), after django-modeltranslation has added the per-language
    columns, so each version keeps the English and the Spanish text.
    """
    from .models import FAQ, Condition, Reference, SitePage, TreatmentSection

    reversion.register(Treatment, follow=CHILD_RELATIONS[Treatment])
    for model in (TreatmentSection, FAQ, Reference, Condition, Physician, SitePage):
        reversion.register(model)


def record(*, page, obj, action: str, user=None, comment: str = "") -> None:
    """Keep this version of `obj` (with its sections) in the history of `page`."""
    with reversion.create_revision(manage_manually=True):
        reversion.add_to_revision(obj)
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment)
        reversion.add_meta(
            EditorialEvent, page_type=page_type(type(page)), page_id=page.pk, action=action
        )


def history(page) -> list[EditorialEvent]:
    return list(EditorialEvent.objects.for_page(page).select_related("revision__user"))


@transaction.atomic
def restore_as_draft(*, page: Publishable, event: EditorialEvent, user) -> Publishable:
    """Make an earlier version of a live page its new draft; the live page stays as it is."""
    from .history import snapshot_of_revision

    if page.is_draft:
        raise WorkflowError("Only a live page's earlier versions can be restored as a draft.")
    if page.draft_or_none() is not None:
        raise WorkflowError(
            "This page already has a draft. Publish it or delete it before restoring "
            "an earlier version."
        )
    model = type(page)
    snapshot = snapshot_of_revision(event.revision, model)
    draft = start_draft(page=page)
    for field in content_fields(model):
        if field.attname not in snapshot.fields:
            continue
        value = snapshot.fields[field.attname]
        if isinstance(field, models.FileField):
            value = getattr(value, "name", value) or ""
            if value == getattr(draft, field.attname).name:
                continue  # unchanged: leave the image (and its stored size) alone
        setattr(draft, field.attname, value)
    draft.save()
    for relation in CHILD_RELATIONS.get(model._meta.concrete_model, ()):
        fk_name = child_fk_name(model, relation)
        child_model = model._meta.get_field(relation).related_model
        live_ids = set(getattr(page, relation).values_list("pk", flat=True))
        getattr(draft, relation).all().delete()
        for row in snapshot.children.get(relation, []):
            origin = row.get("draft_of_id") or row.get("id")
            child = child_model(
                **{
                    field.attname: row[field.attname]
                    for field in content_fields(child_model)
                    if field.attname in row and field.name != fk_name
                }
            )
            child.draft_of_id = origin if origin in live_ids else None
            setattr(child, fk_name, draft)
            child.save(force_insert=True)
    for field in model._meta.many_to_many:
        if field.attname in snapshot.m2m:
            targets = field.related_model.objects.filter(pk__in=snapshot.m2m[field.attname])
            getattr(draft, field.name).set(targets)
    record(
        page=page,
        obj=draft,
        action=EditorialEvent.Action.RESTORED,
        user=user,
        comment=f"Restored the version of "
        f"{timezone.localtime(event.revision.date_created):%Y-%m-%d %H:%M} as a draft.",
    )
    return draft
