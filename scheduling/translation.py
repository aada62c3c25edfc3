"""Consultation types are named in Spanish too (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import ConsultationType


@register(ConsultationType)
class ConsultationTypeTranslation(TranslationOptions):
    fields = ("name", "description")
