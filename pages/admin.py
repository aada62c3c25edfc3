from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from .models import (
    FAQ,
    Condition,
    Office,
    OpeningHours,
    Physician,
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
class TreatmentAdmin(TranslationAdmin):
    list_display = [
        "title",
        "status",
        "published_on",
        "reviewed_by",
        "next_review_due",
        "review_overdue",
        "reading_grade",
    ]
    list_filter = ["status", ReviewFilter, "conditions"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [TreatmentSectionInline, FAQInline, ReferenceInline]
    readonly_fields = ["overall_reading_grade", "reference_check"]
    formfield_overrides = {
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "status", "published_on"]}),
        ("Editorial checks", {"fields": ["overall_reading_grade", "reference_check"]}),
        ("Hero image", {"fields": ["hero_image", "hero_image_alt"]}),
        ("Conditions it may help", {"fields": ["conditions"]}),
        ("Medical review", {"fields": ["reviewed_by", "last_reviewed", "next_review_due"]}),
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

    @admin.display(description="Sources for numbers")
    def reference_check(self, treatment):
        if treatment is None or treatment.pk is None:
            return "Shown after you save."
        return self.reference_warning(treatment) or "No numeric claim lacks a source."

    @staticmethod
    def reference_warning(treatment) -> str:
        claims = treatment.numeric_claims()
        if not claims or treatment.references.all():
            return ""
        return (
            "This page makes claims with numbers in them ("
            + ", ".join(f"“{claim}”" for claim in claims[:3])
            + ") but lists no reference. Please add the source of each number below."
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Read the saved page afresh: the inlines changed after the form was loaded.
        treatment = Treatment.objects.prefetch_related("sections", "faqs", "references").get(
            pk=form.instance.pk
        )
        warning = self.reference_warning(treatment)
        if warning:
            messages.warning(request, warning)
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
class ConditionAdmin(TranslationAdmin):
    list_display = ["name", "body_area"]
    list_filter = ["body_area"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Physician)
class PhysicianAdmin(TranslationAdmin):
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
    ]
    readonly_fields = ["bio_reading_grade"]
    formfield_overrides = {
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }

    @admin.display(description="Name", ordering="name")
    def display_name(self, physician):
        return physician.display_name

    @admin.display(description="Reading grade of the bio")
    def bio_reading_grade(self, physician):
        if physician is None or physician.pk is None:
            return "Shown after you save."
        return readability_note(physician.readability())


@admin.register(SitePage)
class SitePageAdmin(TranslationAdmin):
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
