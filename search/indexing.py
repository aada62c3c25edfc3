"""Keep SearchDocument rows in step with published content."""

import re
from html import unescape

from django.db import transaction

from pages.models import Condition, Treatment

from .models import SearchDocument

TAG = re.compile(r"<[^>]+>")


def html_to_text(html: str) -> str:
    return " ".join(unescape(TAG.sub(" ", html or "")).split())


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
    SearchDocument.objects.bulk_create(documents)


@transaction.atomic
def index_condition(condition_id: int) -> None:
    SearchDocument.objects.filter(condition_id=condition_id).delete()
    condition = Condition.objects.filter(pk=condition_id).first()
    if condition is None:
        return
    SearchDocument.objects.create(
        kind=SearchDocument.Kind.CONDITION,
        title=condition.name,
        context=condition.get_body_area_display(),
        body=condition.description,
        url=condition.get_absolute_url(),
        condition=condition,
        weight=2,
    )


def rebuild_index() -> int:
    SearchDocument.objects.all().delete()
    for treatment_id in Treatment.objects.values_list("pk", flat=True):
        index_treatment(treatment_id)
    for condition_id in Condition.objects.values_list("pk", flat=True):
        index_condition(condition_id)
    return SearchDocument.objects.count()
