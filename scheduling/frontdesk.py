"""The front desk's day and week sheets: appointments and free time per physician."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bookings.models import ConsultationRequest
from pages.models import Physician

from .availability import OfficeCalendar, instant
from .models import Appointment


@dataclass
class Row:
    starts_at: datetime
    ends_at: datetime
    appointment: Appointment | None = None  # None: free time

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass
class PhysicianDay:
    physician: Physician
    rows: list[Row] = field(default_factory=list)


def appointments_on(office, first_day: date, last_day: date):
    return (
        Appointment.objects.filter(
            office=office,
            starts_at__gte=instant(first_day, time()),
            starts_at__lt=instant(last_day + timedelta(days=1), time()),
        )
        .select_related("physician", "consultation_type")
        .order_by("starts_at", "pk")
    )


def day_sheet(office, day: date) -> list[PhysicianDay]:
    """Each physician with hours or appointments here that day: both in time order."""
    calendar = OfficeCalendar(office, day, day)
    appointments = list(appointments_on(office, day, day))
    ids = set(calendar.physician_ids) | {a.physician_id for a in appointments}
    physicians = {p.pk: p for p in Physician.objects.filter(pk__in=ids)}
    sheets = []
    for pk in sorted(ids, key=lambda pk: physicians[pk].name):
        rows = [Row(a.starts_at, a.ends_at, a) for a in appointments if a.physician_id == pk]
        rows += [Row(start, end) for start, end in calendar.free(pk, day) if end > start]
        rows.sort(key=lambda row: (row.starts_at, row.appointment is None))
        if rows:
            sheets.append(PhysicianDay(physicians[pk], rows))
    return sheets


@dataclass
class WeekDay:
    day: date
    booked: int
    free_minutes: int

    @property
    def free_hours(self) -> str:
        return f"{self.free_minutes // 60} h {self.free_minutes % 60:02d} min"


def week_sheet(office, monday: date) -> list[WeekDay]:
    sunday = monday + timedelta(days=6)
    calendar = OfficeCalendar(office, monday, sunday)
    appointments = list(
        appointments_on(office, monday, sunday).filter(status__in=["booked", "no_show"])
    )
    result = []
    for day in calendar.days():
        free = sum(
            (end - start).total_seconds() // 60
            for pk in calendar.physician_ids
            for start, end in calendar.free(pk, day)
        )
        booked = sum(1 for a in appointments if a.local_start.date() == day)
        result.append(WeekDay(day, booked, int(free)))
    return result


def open_call_backs(office):
    """Call-back requests of this office still waiting to be worked, oldest first."""
    return ConsultationRequest.objects.filter(
        office=office,
        status__in=[ConsultationRequest.Status.NEW, ConsultationRequest.Status.CONTACTED],
    ).order_by("created_at")[:50]
