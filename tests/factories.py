"""Builders for tests: content, staff and patients' form data (no tests here)."""

import time
from datetime import timedelta

from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone
from modeltranslation.translator import translator

from bookings import consent
from bookings.roles import FRONT_DESK
from bookings.spam import issue_form_token
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


def form_token(age_seconds: float = 60) -> str:
    """A valid form token as if the form had been shown age_seconds ago."""
    return issue_form_token(issued_at=time.time() - age_seconds)


def numbered_name(prefix: str, n: int) -> str:
    """A name unique to n, in letters (names may not hold digits): numbered_name("W", 12) is
    "W Bc"."""
    return f"{prefix} " + "".join(chr(ord("a") + int(digit)) for digit in str(n)).capitalize()


def valid_form_data(office, /, **overrides) -> dict:
    """Everything a patient fills in, valid; pass field=None to leave a field out."""
    data = {
        "first_name": "Ana",
        "last_name": "Ruiz",
        "email": "ana.ruiz@example.org",
        "phone": "(213) 373-4253",
        "office": str(office.pk),
        "treatment": "",
        "patient_status": "new",
        "contact_method": "phone",
        "preferred_days": ["mon", "wed"],
        "preferred_time": "morning",
        "payment": "not_sure",
        "message": "Could someone call me about a knee appointment next week?",
        "consent_to_contact": "on",
        "consent_wording": consent.CURRENT.version,
        "token": form_token(),
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def front_desk_group() -> Group:
    """The "Front desk" group (made and kept in step after every migrate, bookings/roles.py)."""
    return Group.objects.get(name=FRONT_DESK)


def content_editor_group() -> Group:
    """The "Content editor" group (made and kept in step after every migrate, pages/roles.py)."""
    from pages.roles import CONTENT_EDITOR

    return Group.objects.get(name=CONTENT_EDITOR)


def clinical_reviewer_group() -> Group:
    from pages.roles import CLINICAL_REVIEWER

    return Group.objects.get(name=CLINICAL_REVIEWER)


def make_reviewer(username="reviewer", *, physician=None, email="reviewer@example.org") -> User:
    """A clinical reviewer whose account is linked to a physician profile (who signs off)."""
    user = make_staff(username, groups=[clinical_reviewer_group()])
    user.email = email
    user.save()
    physician = physician or make_physician(name="Rita Review", slug=f"{username}-md")
    physician.user = user
    physician.save()
    return User.objects.get(pk=user.pk)  # a fresh permission cache


def make_bookable(
    office,
    physician,
    *,
    weekdays=range(7),
    hours=(("09:00", "12:00"),),
    duration=30,
    buffer=0,
    notice=0,
    window=60,
    online=True,
    name="New patient consultation",
):
    """Online booking at an office: its settings, one kind of visit and a physician's hours."""
    from datetime import time

    from scheduling.models import ConsultationType, OfficeSchedule, WeeklyHours

    schedule, _ = OfficeSchedule.objects.update_or_create(
        office=office,
        defaults={
            "online_booking": online,
            "minimum_notice_days": notice,
            "booking_window_days": window,
        },
    )
    for weekday in weekdays:
        for starts, ends in hours:
            WeeklyHours.objects.create(
                schedule=schedule,
                physician=physician,
                weekday=weekday,
                starts=time.fromisoformat(starts),
                ends=time.fromisoformat(ends),
            )
    return ConsultationType.objects.create(
        schedule=schedule,
        name_en=name,
        name_es="Primera consulta",
        duration_minutes=duration,
        buffer_minutes=buffer,
    )


def first_open_slot(kind):
    """The first time a patient could book for this kind of visit, as the time picker shows."""
    from scheduling.availability import booking_window, first_open_week, open_week

    window = booking_window(kind.office)
    monday = first_open_week(kind, window, from_monday=window.first_day)
    return next(slot for day in open_week(kind, monday, window) for slot in day.slots)


def booking_details(slot_value, kind, /, **overrides) -> dict:
    """The details form filled in by a patient for a chosen time; field=None leaves it out."""
    data = {
        "type": str(kind.pk),
        "slot": slot_value,
        "first_name": "Ana",
        "last_name": "Ruiz",
        "email": "ana.ruiz@example.org",
        "phone": "(213) 373-4253",
        "message": "",
        "consent_to_contact": "on",
        "consent_wording": consent.CURRENT.version,
        "token": form_token(),
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
