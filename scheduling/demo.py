"""Demo availability: both offices take online bookings, with a physician's weekly hours,
two kinds of visit, a day at the other office and the public holidays of the next months."""

from datetime import date, time, timedelta

from django.db import transaction

from pages.models import Office, Physician

from .availability import office_today
from .models import Closure, ConsultationType, ExtraHours, OfficeSchedule, WeeklyHours

KINDS = [
    {
        "name_en": "New patient consultation",
        "name_es": "Primera consulta",
        "description_en": "A first visit: the physician looks at your case and explains options.",
        "description_es": "Primera visita: el médico revisa su caso y le explica sus opciones.",
        "duration_minutes": 30,
        "buffer_minutes": 10,
        "sort_order": 1,
    },
    {
        "name_en": "Follow-up visit",
        "name_es": "Consulta de seguimiento",
        "description_en": "For patients we have already seen.",
        "description_es": "Para pacientes que ya hemos atendido.",
        "duration_minutes": 15,
        "buffer_minutes": 5,
        "sort_order": 2,
    },
]
# Mondays, Wednesdays and Fridays in Encino; Tuesdays and Thursdays in Los Angeles.
DAYS = {"encino": [0, 2, 4], "los-angeles": [1, 3]}
BLOCKS = [(time(9, 0), time(12, 0)), (time(13, 0), time(17, 0))]


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The nth weekday of a month (n=-1: the last), e.g. Thanksgiving: November's 4th Thursday."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def holidays(year: int) -> list[tuple[str, date]]:
    return [
        ("New Year's Day", date(year, 1, 1)),
        ("Martin Luther King Jr. Day", nth_weekday(year, 1, 0, 3)),
        ("Memorial Day", nth_weekday(year, 5, 0, -1)),
        ("Independence Day", date(year, 7, 4)),
        ("Labor Day", nth_weekday(year, 9, 0, 1)),
        ("Thanksgiving", nth_weekday(year, 11, 3, 4)),
        ("Day after Thanksgiving", nth_weekday(year, 11, 3, 4) + timedelta(days=1)),
        ("Christmas Day", date(year, 12, 25)),
    ]


@transaction.atomic
def load_schedule() -> dict:
    """Safe to run again: rows are updated in place, never duplicated."""
    physician = Physician.objects.order_by("pk").first()
    counts = {"offices": 0, "kinds": 0, "holidays": 0}
    for office in Office.objects.filter(slug__in=DAYS):
        schedule, _ = OfficeSchedule.objects.update_or_create(
            office=office,
            defaults={"online_booking": True, "minimum_notice_days": 1, "booking_window_days": 60},
        )
        counts["offices"] += 1
        for kind in KINDS:
            ConsultationType.objects.update_or_create(
                schedule=schedule, name_en=kind["name_en"], defaults=kind
            )
            counts["kinds"] += 1
        if physician:
            schedule.weekly_hours.filter(physician=physician).delete()
            WeeklyHours.objects.bulk_create(
                WeeklyHours(
                    schedule=schedule, physician=physician, weekday=day, starts=starts, ends=ends
                )
                for day in DAYS[office.slug]
                for starts, ends in BLOCKS
            )
    today = office_today()
    for year in (today.year, today.year + 1):
        for name, day in holidays(year):
            if today <= day <= today + timedelta(days=120):
                Closure.objects.update_or_create(
                    office=None,
                    physician=None,
                    first_day=day,
                    defaults={"last_day": day, "reason": name},
                )
                counts["holidays"] += 1
    encino = Office.objects.filter(slug="encino").first()
    if physician and encino:
        # A Tuesday in Encino instead of Los Angeles, three weeks from now.
        tuesday = today + timedelta(days=(1 - today.weekday()) % 7 + 21)
        ExtraHours.objects.update_or_create(
            physician=physician,
            office=encino,
            day=tuesday,
            defaults={"starts": time(9, 0), "ends": time(12, 0), "note": "Covering in Encino"},
        )
    return counts
