"""Keep SearchDocument rows in step with published content."""

import re
from html import unescape

from django.conf import settings
from django.db import transaction
from django.utils import translation

from pages.models import Condition, Treatment

from .models import SearchDocument

TAG = re.compile(r"<[^>]+>")


def html_to_text(html: str) -> str:
    return " ".join(unescape(TAG.sub(" ", html or "")).split())


def in_each_language(build):
    """Call build() once per site language, with that language active; join the documents."""
    documents = []
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            for document in build():
                document.language = code
                documents.append(document)
    return documents


@transaction.atomic
def index_treatment(treatment_id: int) -> None:
    SearchDocument.objects.filter(treatment_id=treatment_id).delete()
    treatment = (
        Treatment.objects.filter(pk=treatment_id, status=Treatment.Status.PUBLISHED)
        .prefetch_related("sections", "faqs")
        .first()
    )
    if treatment is None:
        return
    # Untranslated text falls back to English, so a Spanish search still finds those pages.
    SearchDocument.objects.bulk_create(in_each_language(lambda: treatment_documents(treatment)))


def treatment_documents(treatment) -> list[SearchDocument]:
    url = treatment.get_absolute_url()
    shared = {"treatment": treatment, "visible_from": treatment.published_on}
    documents = [
        SearchDocument(
            kind=SearchDocument.Kind.TREATMENT,
            title=treatment.title,
            body=treatment.summary,
            url=url,
            weight=3,
            **shared,
        )
    ]
    for section in treatment.sections.all():
        anchor = getattr(section, "anchor", "") or ""
        documents.append(
            SearchDocument(
                kind=SearchDocument.Kind.SECTION,
                title=section.display_heading,
                context=treatment.title,
                body=html_to_text(section.body_html),
                url=f"{url}#{anchor}" if anchor else url,
                weight=2,
                **shared,
            )
        )
    for faq in treatment.faqs.all():
        documents.append(
            SearchDocument(
                kind=SearchDocument.Kind.FAQ,
                title=faq.question,
                context=treatment.title,
                body=html_to_text(faq.answer_html),
                url=f"{url}#faq",
                weight=1,
                **shared,
            )
        )
    return documents


@transaction.atomic
def index_condition(condition_id: int) -> None:
    SearchDocument.objects.filter(condition_id=condition_id).delete()
    condition = Condition.objects.published().filter(pk=condition_id).first()
    if condition is None:
        return
    SearchDocument.objects.bulk_create(
        in_each_language(
            lambda: [
                SearchDocument(
                    kind=SearchDocument.Kind.CONDITION,
                    title=condition.name,
                    context=str(condition.get_body_area_display()),
                    body=condition.description,
                    url=condition.get_absolute_url(),
                    condition=condition,
                    weight=2,
                )
            ]
        )
    )


def rebuild_index() -> int:
    SearchDocument.objects.all().delete()
    for treatment_id in Treatment.objects.published().values_list("pk", flat=True):
        index_treatment(treatment_id)
    for condition_id in Condition.objects.published().values_list("pk", flat=True):
        index_condition(condition_id)
    return SearchDocument.objects.count()
