"""Builders for tests: content, staff and patients' form data (no tests here)."""

import time
from datetime import timedelta

from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from modeltranslation.translator import translator

from bookings import consent
from bookings.models import ConsultationRequest
from bookings.roles import FRONT_DESK
from bookings.services import generate_reference
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
from staff.models import StaffProfile

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


def make_staff(
    username="editor", *, permissions=(), groups=(), offices=None, otp=False, **fields
) -> User:
    """A staff account; offices: the offices it sees ("all" for every one); otp: an app set up."""
    user = User.objects.create_user(
        username, password=fields.pop("password", "unused-in-tests"), is_staff=True, **fields
    )
    if offices == "all":
        StaffProfile.objects.create(user=user, all_offices=True)
    elif offices is not None:
        StaffProfile.objects.create(user=user).offices.set(offices)
    if otp:
        authenticator_app(user)
    for codename in permissions:
        app_label, name = codename.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=name)
        )
    for group in groups:
        user.groups.add(group)
    return user


def authenticator_app(user) -> TOTPDevice:
    """The user's confirmed authenticator app, set up now if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app")


def totp_code(device: TOTPDevice) -> str:
    """The code the user's app shows now, computed from the device's key as the app does.

    Each code is accepted once: after this time step's code was used, the next step's (which
    the device accepts too, within its tolerance) is given instead.
    """
    device.refresh_from_db()
    app = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    app.time = time.time()
    while device.last_t + 1 - app.t() > device.tolerance:
        time.sleep(1)  # rare: codes of this step and the next are used up; wait for a new one
        app.time = time.time()
    app.time += max(0, device.last_t + 1 - app.t()) * device.step
    return f"{app.token():0{device.digits}d}"


def sign_in(client, user) -> None:
    """Sign the test client in as user, both steps done (password and authenticator app)."""
    device = authenticator_app(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


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


def make_consultation(office, *, age=timedelta(minutes=5), **fields) -> ConsultationRequest:
    """A stored consultation request at office, as a patient's form would have made it."""
    now = timezone.now()
    values = {
        "first_name": "Ana",
        "last_name": "Ruiz",
        "email": "ana.ruiz@example.org",
        "phone": "+12133734253",
        "patient_status": "new",
        "contact_method": "phone",
        "message": "Could someone call me about a knee appointment?",
        "consent_version": consent.CURRENT.version,
        "consent_text": consent.CURRENT.contact,
        "consent_to_contact": True,
        "consented_at": now - age,
        "created_at": now - age,
        "reference": generate_reference(office.reference_prefix),
        "form_token": generate_reference("TOK") + generate_reference("K"),
        **fields,
    }
    if values.get("status") == "spam" and not values.get("spam_reason"):
        values["spam_reason"] = "honeypot"
    return ConsultationRequest.objects.create(office=office, **values)


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
