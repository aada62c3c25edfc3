from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from . import drafts
from .history import compare, snapshot_of, snapshot_of_revision
from .models import (
    FAQ,
    Condition,
    EditorialEvent,
    Office,
    OpeningHours,
    Physician,
    PublicationStatus,
    Reference,
    SitePage,
    SiteSettings,
    Treatment,
    TreatmentDueForReview,
    TreatmentSection,
)
from .readability import TARGET_GRADE, Readability


def readability_note(result: Readability | None) -> str:
    """A reading grade as editors see it, with a warning above the target grade."""
    if result is None:
        return "No text to measure yet."
    if result.too_hard:
        return format_html(
            "<strong>⚠ Grade {}: harder than grade {} for many patients.</strong> "
            "Try shorter sentences and everyday words.",
            f"{result.grade:.1f}",
            f"{TARGET_GRADE:.0f}",
        )
    return format_html(
        "Grade {}: plain enough (aim for grade {} or below).",
        f"{result.grade:.1f}",
        f"{TARGET_GRADE:.0f}",
    )


def records_protecting(objs) -> dict:
    """What keeps objs from being deleted: {model: count} of the records that refer to them."""
    model = objs[0]._meta.model
    counts = {}
    for relation in model._meta.related_objects:
        if relation.on_delete is models.PROTECT:
            related = relation.related_model
            lookup = {f"{relation.field.name}__in": objs}
            counts[related] = related._default_manager.filter(**lookup).count()
    return {related: count for related, count in counts.items() if count}


class TreatmentSectionInline(TranslationStackedInline):
    model = TreatmentSection
    extra = 0
    fields = ["kind", "heading", "body", "sort_order", "reading_grade"]
    readonly_fields = ["reading_grade"]
    ordering = ["sort_order", "pk"]

    @admin.display(description="Reading grade (Flesch-Kincaid)")
    def reading_grade(self, section):
        if section is None or section.pk is None:
            return "Shown after you save."
        return readability_note(section.readability())


class FAQInline(TranslationStackedInline):
    model = FAQ
    extra = 0
    fields = ["question", "answer", "sort_order"]
    ordering = ["sort_order", "pk"]


class ReferenceInline(admin.TabularInline):
    model = Reference
    extra = 0
    fields = ["citation", "url", "sort_order"]
    ordering = ["sort_order", "pk"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})},
        models.URLField: {"assume_scheme": "https"},
    }


# --- The editorial workflow in admin: drafts of live pages, review, history.


class PagesOrDraftsFilter(admin.SimpleListFilter):
    """The list shows one row per page; the drafts of live pages are one click away."""

    title = "show"
    parameter_name = "show"

    def lookups(self, request, model_admin):
        return [
            ("waiting", "Drafts waiting for review"),
            ("drafts", "All drafts"),
            ("all", "Pages and their drafts"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.waiting_for_review()
        if self.value() == "drafts":
            return queryset.drafts()
        if self.value() == "all":
            return queryset
        return queryset.pages()


class ReviewDecisionForm(forms.Form):
    """What a clinical reviewer decides about a draft, and why."""

    comment = forms.CharField(
        label="Comment for the history (and for the editor if you send it back)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    go_live_at = forms.DateTimeField(
        label="Go live at (optional)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="Leave empty to publish as soon as you approve.",
    )

    def __init__(self, *args, claims=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.claims = list(claims)
        for number, claim in enumerate(self.claims):
            if claim.problem == "no_citation":
                self.fields[f"reason_{number}"] = forms.CharField(
                    label=f"Why may this sentence stand without a citation? ({claim.where}, "
                    f"{claim.language})",
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def claim_reasons(self) -> dict[str, str]:
        return {
            claim.sentence: self.cleaned_data.get(f"reason_{number}", "")
            for number, claim in enumerate(self.claims)
        }

    def claim_rows(self):
        """Each sentence with its reason field, for the template."""
        for number, claim in enumerate(self.claims):
            name = f"reason_{number}"
            yield claim, (self[name] if name in self.fields else None)


class EditorialAdmin(TranslationAdmin):
    """Changes to a live page go into its draft; a clinical reviewer publishes it."""

    change_form_template = "admin/pages/editorial_change_form.html"
    actions = ["take_off_the_site"]

    class Media:
        css = {"all": ["pages/editorial.css"]}

    def get_list_filter(self, request):
        return [PagesOrDraftsFilter, *super().get_list_filter(request)]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # Where a page is in the workflow changes through its buttons, never by hand.
        return readonly if "status" in readonly else [*readonly, "status"]

    def get_list_display(self, request):
        first, *rest = super().get_list_display(request)
        return [first, "editorial_state", *rest]

    @admin.display(description="Editorial state")
    def editorial_state(self, page):
        if page.draft_of_id:
            return f"Draft of the live page: {page.get_status_display().lower()}"
        if page.is_draft:
            return f"New page: {page.get_status_display().lower()}"
        draft = page.draft_or_none()
        if draft is None:
            return "Live"
        return f"Live; a draft is {draft.get_status_display().lower()}"

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/review/", view(self.review_view), name=f"{name}_review"),
            path("<path:object_id>/versions/", view(self.versions_view), name=f"{name}_versions"),
            path("<path:object_id>/compare/", view(self.compare_view), name=f"{name}_compare"),
            path(
                "<path:object_id>/restore/<int:event_id>/",
                view(self.restore_view),
                name=f"{name}_restore",
            ),
            *super().get_urls(),
        ]

    def has_publish_permission(self, request) -> bool:
        return drafts.can_publish(request.user, self.model)

    @admin.action(
        description="Take the selected pages off the site (back to draft)",
        permissions=["publish"],
    )
    def take_off_the_site(self, request, queryset):
        for page in queryset:
            try:
                drafts.unpublish(page=page, user=request.user)
            except drafts.WorkflowError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                self.message_user(
                    request, f"“{page}” is off the site. It can be published again later."
                )

    def url(self, action: str, obj) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=[obj.pk])

    # Editing: a live page's form saves into its draft.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        page = self.get_object(request, object_id)
        if page is not None and request.method == "GET" and not page.is_draft:
            draft = page.draft_or_none()
            if draft is not None:
                messages.info(
                    request,
                    "This page has a draft: you are editing the draft. Patients see the live "
                    "page until a clinical reviewer publishes it.",
                )
                return HttpResponseRedirect(self.url("change", draft))
        context = {**(extra_context or {}), **self.editorial_context(request, page)}
        return super().change_view(request, object_id, form_url, context)

    def editorial_context(self, request, page) -> dict:
        if page is None:
            return {}
        may_publish = drafts.can_publish(request.user, self.model)
        return {
            "editorial_page": page,
            "editorial_live": page.live_page if page.draft_of_id else None,
            "editorial_preview_url": page.preview_url() if page.is_draft else "",
            "editorial_versions_url": self.url("versions", page.live_page),
            "editorial_review_url": self.url("review", page)
            if page.is_draft and may_publish
            else "",
            "editorial_may_publish": may_publish,
        }

    def save_model(self, request, obj, form, change):
        if change and not obj.is_draft:
            return  # a live page is never written here: save_related saves into its draft
        if not change:
            obj.status = PublicationStatus.DRAFT  # new pages go live only once approved
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        page = form.instance
        if change and not page.is_draft:
            for formset in formsets:
                formset.save(commit=False)  # notes what changed (for the log), writes nothing
            # A physician's staff account is not page content: it changes on the live row.
            direct = [name for name in form.changed_data if name in drafts.LIVE_ONLY_FIELDS]
            if direct:
                live = self.model.objects.get(pk=page.pk)
                for name in direct:
                    live._meta.get_field(name).save_form_data(live, form.cleaned_data[name])
                live.save(update_fields=direct)
            changed = set(form.changed_data) - set(direct) or any(
                formset.has_changed() for formset in formsets
            )
            if changed:
                live = self.model.objects.get(pk=page.pk)
                page.saved_draft = drafts.start_draft(page=live)
                drafts.apply_form_to_draft(draft=page.saved_draft, form=form, formsets=formsets)
            return
        super().save_related(request, form, formsets, change)

    def response_add(self, request, obj, post_url_continue=None):
        if "_submit_for_review" in request.POST:
            return self.submit(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        draft = getattr(obj, "saved_draft", None) or (obj if obj.is_draft else None)
        if draft is None:
            self.message_user(request, "Nothing was changed. The live page is as it was.")
            return HttpResponseRedirect(self.url("change", obj))
        if "_submit_for_review" in request.POST:
            return self.submit(request, draft)
        if draft is not obj:
            self.message_user(
                request,
                format_html(
                    "Your changes to “{}” are saved as a draft. The public page has not "
                    'changed. <a href="{}">Preview the draft</a>.',
                    draft,
                    draft.preview_url(),
                ),
                messages.SUCCESS,
            )
            if "_continue" in request.POST:
                return HttpResponseRedirect(self.url("change", draft))
            return HttpResponseRedirect(reverse(f"admin:{self.changelist_name()}"))
        return super().response_change(request, obj)

    def changelist_name(self) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_changelist"

    def submit(self, request, draft):
        try:
            drafts.submit_for_review(draft=draft, user=request.user)
        except drafts.WorkflowError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(self.url("change", draft))
        self.message_user(
            request,
            f"“{draft}” is waiting for a clinical reviewer. They see it on their admin home "
            "page. The public page has not changed.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse(f"admin:{self.changelist_name()}"))

    # Review: compare with the live page, check claims, approve or send back.

    def review_view(self, request, object_id):
        draft = self.get_object(request, object_id)
        if draft is None or not draft.is_draft:
            raise Http404
        if not drafts.can_publish(request.user, self.model):
            raise PermissionDenied
        claims = draft.unsupported_claims() if hasattr(draft, "unsupported_claims") else []
        form = ReviewDecisionForm(request.POST or None, claims=claims)
        if request.method == "POST" and form.is_valid():
            response = self.decide(request, draft, form)
            if response is not None:
                return response
        live = draft.live_page if draft.draft_of_id else None
        before = snapshot_of(live, "Live page") if live else snapshot_of(type(draft)(), "")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Review “{draft}”",
            "draft": draft,
            "live": live,
            "differences": compare(before, snapshot_of(draft, "Draft"), self.model),
            "form": form,
            "preview_url": draft.preview_url(),
            "change_url": self.url("change", draft),
            "versions_url": self.url("versions", draft.live_page),
            "reviewer_physician": drafts.reviewer_physician(request.user),
        }
        return TemplateResponse(request, "admin/pages/review.html", context)

    def decide(self, request, draft, form):
        comment = form.cleaned_data["comment"]
        try:
            if "_send_back" in request.POST:
                drafts.send_back(draft=draft, user=request.user, note=comment)
                self.message_user(request, f"“{draft}” was sent back to the editor.")
                return HttpResponseRedirect(reverse("admin:index"))
            page = drafts.approve(
                draft=draft,
                user=request.user,
                comment=comment,
                go_live_at=form.cleaned_data["go_live_at"],
                claim_reasons=form.claim_reasons(),
            )
        except drafts.WorkflowError as error:
            form.add_error(None, str(error))
            return None
        except ValidationError as error:
            form.add_error(None, "; ".join(error.messages))
            return None
        if page.is_draft:
            self.message_user(
                request,
                f"“{page}” is approved and goes live at "
                f"{timezone.localtime(page.go_live_at):%Y-%m-%d %H:%M}.",
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                format_html(
                    '“{}” is published. <a href="{}">See the page</a>.',
                    page,
                    page.get_absolute_url(),
                ),
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:index"))

    # History: every submitted and published version; compare two; restore one as a draft.

    def versions_view(self, request, object_id):
        page = self.get_object(request, object_id)
        if page is None:
            raise Http404
        if not self.has_view_or_change_permission(request, page):
            raise PermissionDenied
        page = page.live_page
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Versions of “{page}”",
            "page": page,
            "draft": page.draft_or_none() if not page.is_draft else None,
            "events": drafts.history(page),
            "compare_url": self.url("compare", page),
            "may_restore": not page.is_draft and self.has_change_permission(request, page),
        }
        return TemplateResponse(request, "admin/pages/versions.html", context)

    def compare_view(self, request, object_id):
        page = self.get_object(request, object_id)
        if page is None:
            raise Http404
        if not self.has_view_or_change_permission(request, page):
            raise PermissionDenied
        page = page.live_page
        before = self.snapshot(page, request.GET.get("a", ""))
        after = self.snapshot(page, request.GET.get("b", ""))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Compare versions of “{page}”",
            "page": page,
            "before": before,
            "after": after,
            "differences": compare(before, after, self.model),
            "versions_url": self.url("versions", page),
        }
        return TemplateResponse(request, "admin/pages/compare.html", context)

    def snapshot(self, page, choice: str):
        """The version a comparison asks for: "live", "draft" or a history event's id."""
        if choice == "live" and not page.is_draft:
            return snapshot_of(page, "Live page now")
        if choice == "draft":
            draft = page if page.is_draft else page.draft_or_none()
            if draft is not None:
                return snapshot_of(draft, "Draft now")
        if choice.isdigit():
            event = (
                EditorialEvent.objects.for_page(page)
                .select_related("revision__user")
                .filter(pk=int(choice))
                .first()
            )
            if event is not None:
                return snapshot_of_revision(event.revision, self.model, label=describe(event))
        raise Http404("Please choose two versions to compare.")

    def restore_view(self, request, object_id, event_id):
        page = self.get_object(request, object_id)
        if page is None:
            raise Http404
        if request.method != "POST" or not self.has_change_permission(request, page):
            raise PermissionDenied
        page = page.live_page
        event = get_object_or_404(EditorialEvent.objects.for_page(page), pk=event_id)
        try:
            draft = drafts.restore_as_draft(page=page, event=event, user=request.user)
        except drafts.WorkflowError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(self.url("versions", page))
        self.message_user(
            request,
            f"The version of {timezone.localtime(event.revision.date_created):%Y-%m-%d %H:%M} "
            "is now the page's draft. The public page has not changed; a clinical reviewer "
            "publishes the draft.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self.url("change", draft))


def describe(event: EditorialEvent) -> str:
    who = event.revision.user.get_username() if event.revision.user else "the site"
    return (
        f"{event.get_action_display()}, "
        f"{timezone.localtime(event.revision.date_created):%Y-%m-%d %H:%M}, by {who}"
    )


class ReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("due_soon", "Due within 30 days"),
            ("missing", "No review date"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "due_soon":
            return queryset.filter(
                next_review_due__gte=today, next_review_due__lte=today + timedelta(days=30)
            )
        if self.value() == "missing":
            return queryset.filter(next_review_due__isnull=True)
        return queryset


@admin.register(Treatment)
class TreatmentAdmin(EditorialAdmin):
    list_display = [
        "title",
        "status",
        "published_on",
        "reviewed_by",
        "review_due",
        "reading_grade",
    ]
    list_filter = ["status", ReviewFilter, "conditions"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [TreatmentSectionInline, FAQInline, ReferenceInline]
    readonly_fields = [
        "overall_reading_grade",
        "claim_check",
        "status",
        "published_on",
        "reviewed_by",
        "last_reviewed",
        "next_review_due",
    ]
    formfield_overrides = {
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "status", "published_on"]}),
        ("Editorial checks", {"fields": ["overall_reading_grade", "claim_check"]}),
        ("Hero image", {"fields": ["hero_image", "hero_image_alt"]}),
        ("Conditions it may help", {"fields": ["conditions"]}),
        (
            "Medical review (set when a clinical reviewer approves the page)",
            {"fields": ["reviewed_by", "last_reviewed", "next_review_due"]},
        ),
        ("Regulatory notice", {"fields": ["regulatory_notice"]}),
        (
            "Search engines and shared links",
            {"fields": ["seo_title", "seo_description"], "classes": ["collapse"]},
        ),
    ]

    # Treatments patients asked about cannot be deleted: these pages say so in plain words.
    delete_confirmation_template = "admin/pages/treatment/delete_confirmation.html"
    delete_selected_confirmation_template = (
        "admin/pages/treatment/delete_selected_confirmation.html"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sections", "faqs", "references")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "conditions":
            kwargs["queryset"] = Condition.objects.pages()  # never a condition's draft
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            # Django lists (and links) each protecting record, and asks for permission to delete
            # them although nothing would be: an editor gets a count of each kind only.
            protecting = records_protecting(objs)
            protected = [
                f"{count} {related._meta.verbose_name_plural}"
                if count > 1
                else f"1 {related._meta.verbose_name}"
                for related, count in protecting.items()
            ]
            perms_needed -= {str(related._meta.verbose_name) for related in protecting}
        return deleted, counts, perms_needed, protected

    @admin.display(boolean=True, description="Review overdue")
    def review_overdue(self, treatment):
        return treatment.is_review_overdue

    @admin.display(description="Next review", ordering="next_review_due")
    def review_due(self, treatment):
        due = treatment.next_review_due
        if due is None:
            return "–"
        if treatment.is_review_overdue:
            return format_html('<strong class="review-overdue">⚠ Overdue since {}</strong>', due)
        if treatment.is_review_due_soon:
            return format_html('<strong class="review-due-soon">Due soon: {}</strong>', due)
        return str(due)

    @admin.display(description="Reading grade")
    def reading_grade(self, treatment):
        result = treatment.readability()
        if result is None:
            return "–"
        return f"⚠ {result.grade:.1f}" if result.too_hard else f"{result.grade:.1f}"

    @admin.display(description="Reading grade of the whole page")
    def overall_reading_grade(self, treatment):
        if treatment is None or treatment.pk is None:
            return "Shown after you save."
        return readability_note(treatment.readability())

    @admin.display(description="Claims and citations")
    def claim_check(self, treatment):
        if treatment is None or treatment.pk is None:
            return "Shown after you save."
        claims = treatment.unsupported_claims()
        if not claims:
            return "Every sentence with a number or a promise cites a reference."
        return format_html(
            "<strong>⚠ {} sentence(s) need a citation before this page can be published.</strong>"
            " Add the reference's number in brackets, e.g. [1] for the first reference below."
            "<ul>{}</ul>",
            len(claims),
            format_html_join(
                "",
                "<li>{} ({}): “{}” – {}</li>",
                ((c.where, c.language, c.sentence, c.explanation) for c in claims),
            ),
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Read the saved page afresh (its draft, if the form was a live page's).
        saved = getattr(form.instance, "saved_draft", None) or form.instance
        treatment = Treatment.objects.prefetch_related("sections", "faqs", "references").get(
            pk=saved.pk
        )
        claims = treatment.unsupported_claims()
        if claims:
            messages.warning(
                request,
                f"{len(claims)} sentence(s) state a number or a promise without citing a "
                "reference, e.g. “" + claims[0].sentence + "” (" + claims[0].where + "). "
                "The page cannot be published until each cites one, such as [1].",
            )
        result = treatment.readability()
        if result is not None and result.too_hard:
            messages.warning(
                request,
                f"This page reads at grade {result.grade:.1f}. Patient pages should read at "
                f"grade {TARGET_GRADE:.0f} or below: try shorter sentences and everyday words.",
            )

    def changelist_view(self, request, extra_context=None):
        overdue = request.method == "GET" and Treatment.objects.review_overdue().count()
        if overdue:
            messages.warning(
                request,
                format_html(
                    '{} overdue for medical review. <a href="{}">See the list</a>.',
                    "1 treatment page is" if overdue == 1 else f"{overdue} treatment pages are",
                    reverse("admin:pages_treatment_changelist") + "?review=overdue",
                ),
            )
        return super().changelist_view(request, extra_context)


@admin.register(TreatmentDueForReview)
class TreatmentDueForReviewAdmin(TreatmentAdmin):
    """The overdue reviews on their own, so they are one click from the admin index."""

    list_display = ["title", "status", "reviewed_by", "last_reviewed", "next_review_due"]
    list_filter = ["status"]
    ordering = ["next_review_due"]

    def get_queryset(self, request):
        return super().get_queryset(request).review_overdue()

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        return admin.ModelAdmin.changelist_view(self, request, extra_context)


@admin.register(Condition)
class ConditionAdmin(EditorialAdmin):
    list_display = ["name", "body_area"]
    list_filter = ["body_area"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Physician)
class PhysicianAdmin(EditorialAdmin):
    list_display = ["display_name", "credentials"]
    search_fields = ["name", "credentials"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "honorific",
        "name",
        "slug",
        "credentials",
        "bio",
        "bio_reading_grade",
        "photo",
        "photo_alt",
        "offices",
        "user",
    ]
    readonly_fields = ["bio_reading_grade"]
    formfield_overrides = {
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # Who signs pages off is an administrator's decision, and belongs to the live profile.
        if not request.user.has_perm("auth.change_user") or (obj and obj.draft_of_id):
            readonly.append("user")
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = db_field.related_model.objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Name", ordering="name")
    def display_name(self, physician):
        return physician.display_name

    @admin.display(description="Reading grade of the bio")
    def bio_reading_grade(self, physician):
        if physician is None or physician.pk is None:
            return "Shown after you save."
        return readability_note(physician.readability())


@admin.register(SitePage)
class SitePageAdmin(EditorialAdmin):
    list_display = ["title", "slug", "updated_at"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "body", "reading_grade", "seo_title", "seo_description"]
    readonly_fields = ["reading_grade"]

    @admin.display(description="Reading grade")
    def reading_grade(self, page):
        if page is None or page.pk is None:
            return "Shown after you save."
        return readability_note(page.readability())


@admin.register(SiteSettings)
class SiteSettingsAdmin(TranslationAdmin):
    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()  # there is one row

    def has_delete_permission(self, request, obj=None):
        return False


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Office)
class OfficeAdmin(TranslationAdmin):
    list_display = ["name", "city", "phone", "consultation_email"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "reference_prefix", "sort_order"]}),
        ("Address", {"fields": ["street_address", "city", "state", "postal_code", "directions"]}),
        ("Contact", {"fields": ["phone", "consultation_email"]}),
        ("Map position", {"fields": ["latitude", "longitude"], "classes": ["collapse"]}),
    ]
