"""Fields editors can write in Spanish too (django-modeltranslation adds a column per language)."""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    FAQ,
    Condition,
    Office,
    Physician,
    SitePage,
    SiteSettings,
    Treatment,
    TreatmentDueForReview,
    TreatmentSection,
)


@register(Treatment)
class TreatmentTranslation(TranslationOptions):
    fields = (
        "title",
        "summary",
        "hero_image_alt",
        "regulatory_notice",
        "seo_title",
        "seo_description",
    )


@register(TreatmentSection)
class TreatmentSectionTranslation(TranslationOptions):
    fields = ("heading", "body", "body_html")


@register(FAQ)
class FAQTranslation(TranslationOptions):
    fields = ("question", "answer", "answer_html")


@register(Condition)
class ConditionTranslation(TranslationOptions):
    fields = ("name", "description", "seo_title", "seo_description")


@register(Physician)
class PhysicianTranslation(TranslationOptions):
    fields = ("honorific", "credentials", "bio", "bio_html", "photo_alt")


@register(Office)
class OfficeTranslation(TranslationOptions):
    fields = ("name", "directions")


@register(SitePage)
class SitePageTranslation(TranslationOptions):
    fields = ("title", "body", "body_html", "seo_title", "seo_description")


@register(SiteSettings)
class SiteSettingsTranslation(TranslationOptions):
    fields = ("default_regulatory_notice",)


@register(TreatmentDueForReview)
class TreatmentDueForReviewTranslation(TreatmentTranslation):
    """The overdue-review list in admin is a proxy of Treatment; it shares its columns."""
