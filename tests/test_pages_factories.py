"""Builders for pages-app tests (no tests here)."""

from datetime import timedelta

from django.contrib.auth.models import Permission, User
from django.utils import timezone
from modeltranslation.translator import translator

from pages.models import (
    FAQ,
    BodyArea,
    Condition,
    Physician,
    Reference,
    Treatment,
    TreatmentSection,
)

PLAIN_TEXT = "Rest helps. Ice can ease the pain. We will check your knee and talk it over."

KINDS_IN_ORDER = [kind for kind in TreatmentSection.Kind.values if kind != "other"]


def make_physician(**fields) -> Physician:
    fields = {"honorific": "Dr.", "name": "Test Person", "slug": "test-person", **fields}
    return Physician.objects.create(**fields)


def remove_spanish(treatment: Treatment) -> Treatment:
    """Empty the Spanish fields of a treatment, its sections and FAQs: a page not yet translated."""
    for item in [treatment, *treatment.sections.all(), *treatment.faqs.all()]:
        for field_name in translator.get_options_for_model(type(item)).fields:
            setattr(item, f"{field_name}_es", "")
        item.save()
    return treatment


def make_treatment(
    *,
    slug="knee-care",
    title="Knee care",
    sections=2,
    faqs=0,
    conditions=0,
    references=0,
    status=Treatment.Status.PUBLISHED,
    published_on=None,
    body=PLAIN_TEXT,
    **fields,
) -> Treatment:
    """A treatment with `sections` sections: every fixed kind once, then "other" ones."""
    treatment = Treatment.objects.create(
        slug=slug,
        title=title,
        summary=fields.pop("summary", "A short plain summary."),
        status=status,
        published_on=published_on or timezone.localdate() - timedelta(days=1),
        **fields,
    )
    for number in range(sections):
        kind = KINDS_IN_ORDER[number] if number < len(KINDS_IN_ORDER) else "other"
        heading = f"More about it {number}" if kind == "other" else ""
        TreatmentSection(
            treatment=treatment, kind=kind, heading=heading, body=body, sort_order=number
        ).save()
    for number in range(faqs):
        FAQ(
            treatment=treatment,
            question=f"Question {number}?",
            answer="A short answer.",
            sort_order=number,
        ).save()
    for number in range(references):
        Reference.objects.create(
            treatment=treatment, citation=f"Source {number}", sort_order=number
        )
    for number in range(conditions):
        condition, _ = Condition.objects.get_or_create(
            slug=f"condition-{number}",
            defaults={
                "name": f"Condition {number}",
                "body_area": BodyArea.KNEE,
                "description": "A short description.",
            },
        )
        treatment.conditions.add(condition)
    return treatment


def make_staff(username="editor", *, permissions=(), groups=()) -> User:
    user = User.objects.create_user(username, password="unused-in-tests", is_staff=True)
    for codename in permissions:
        app_label, name = codename.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=name)
        )
    for group in groups:
        user.groups.add(group)
    return user
