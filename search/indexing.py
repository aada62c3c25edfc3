"""Keep SearchDocument rows in step with published content."""

import re
from html import unescape

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.dateformat import time_format
from django.utils.translation import gettext

from pages.models import Condition, Office, Physician, Treatment

from .models import SearchDocument

TAG = re.compile(r"<[^>]+>")
TIME = "g:i A"  # as the office pages show opening hours: 8:30 AM


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


@transaction.atomic
def index_office(office_id: int) -> None:
    SearchDocument.objects.filter(office_id=office_id).delete()
    office = Office.objects.filter(pk=office_id).prefetch_related("hours").first()
    if office is None:
        return
    SearchDocument.objects.bulk_create(in_each_language(lambda: [office_document(office)]))


def office_document(office) -> SearchDocument:
    """The office's address, phone, hours and directions, so "encino hours" finds its page."""
    address = f"{office.street_address}, {office.city}, {office.state} {office.postal_code}"
    hours = "; ".join(
        f"{slot.get_weekday_display()} {time_format(slot.opens, TIME)}–"
        f"{time_format(slot.closes, TIME)}"
        for slot in office.hours.all()
    )
    # Translated outside the f-strings, where makemessages can find them.
    phone_label, hours_label = gettext("Phone:"), gettext("Opening hours")
    parts = [address, f"{phone_label} {office.phone_display}"]
    if hours:
        parts.append(f"{hours_label}: {hours}")
    parts.append(office.directions)
    return SearchDocument(
        kind=SearchDocument.Kind.OFFICE,
        title=gettext("%(name)s office") % {"name": office.name},
        body=" ".join(" ".join(part.split()) for part in parts if part),
        url=office.get_absolute_url(),
        office=office,
        weight=2,
    )


@transaction.atomic
def index_physician(physician_id: int) -> None:
    SearchDocument.objects.filter(physician_id=physician_id).delete()
    physician = (
        Physician.objects.published().filter(pk=physician_id).prefetch_related("offices").first()
    )
    if physician is None:
        return
    SearchDocument.objects.bulk_create(in_each_language(lambda: [physician_document(physician)]))


def physician_document(physician) -> SearchDocument:
    """The physician's name with the title per language ("Dr Amari"), credentials, offices, bio."""
    offices = ", ".join(office.name for office in physician.offices.all())
    parts = [html_to_text(physician.bio_html)]
    if offices:
        parts.insert(0, "{}: {}".format(gettext("Sees patients at"), offices))
    return SearchDocument(
        kind=SearchDocument.Kind.PHYSICIAN,
        title=physician.display_name,
        context=physician.credentials,
        body=" ".join(part for part in parts if part),
        url=physician.get_absolute_url(),
        physician=physician,
        weight=2,
    )


def rebuild_index() -> int:
    SearchDocument.objects.all().delete()
    for treatment_id in Treatment.objects.published().values_list("pk", flat=True):
        index_treatment(treatment_id)
    for condition_id in Condition.objects.published().values_list("pk", flat=True):
        index_condition(condition_id)
    for office_id in Office.objects.values_list("pk", flat=True):
        index_office(office_id)
    for physician_id in Physician.objects.published().values_list("pk", flat=True):
        index_physician(physician_id)
    return SearchDocument.objects.count()
