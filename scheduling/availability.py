"""Open times: weekly hours, extra hours and closures, less the appointments already made.

Everything is computed in UTC from wall-clock times in the offices' zone
(settings.SCHEDULING_TIME_ZONE), so the server's own zone never matters. Start times follow the
wall clock from the start of each block of hours: a time that does not exist (2:30 on the
spring-forward night) is skipped, and a time that happens twice (1:30 on the fall-back night)
is offered once, the first time.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import Appointment, Closure, ConsultationType, ExtraHours, WeeklyHours

# Staff may book any open time this far ahead, whatever the office's online window.
STAFF_WINDOW_DAYS = 366


@cache
def zone() -> ZoneInfo:
    return ZoneInfo(settings.SCHEDULING_TIME_ZONE)


def office_time(moment: datetime) -> datetime:
    """An instant as the offices' clocks show it."""
    return moment.astimezone(zone())


def office_today(now: datetime | None = None) -> date:
    return office_time(now or timezone.now()).date()


def instant(day: date, clock: time) -> datetime:
    """The UTC instant of a wall-clock time in the offices' zone (the first, if it is twice)."""
    return datetime.combine(day, clock, tzinfo=zone()).astimezone(UTC)


def existing_instant(day: date, clock: time) -> datetime | None:
    """Like instant(), but None for a wall-clock time the spring-forward night skips."""
    moment = instant(day, clock)
    shown = office_time(moment)
    if (shown.date(), shown.time()) != (day, clock):
        return None
    return moment


def parse_slot(value: str | None) -> datetime | None:
    """A slot value from a form ("2026-12-07T09:00-08:00") as a UTC instant, or None."""
    if not value or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    # Only times a booking page could offer: aware, and not at the ends of the calendar.
    if moment.tzinfo is None or not 2000 <= moment.year <= 2200:
        return None
    return moment.astimezone(UTC)


def slot_value(moment: datetime) -> str:
    return office_time(moment).isoformat(timespec="minutes")


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # UTC
    physician_ids: tuple[int, ...]

    @property
    def local(self) -> datetime:
        return office_time(self.starts_at)

    @property
    def value(self) -> str:
        return slot_value(self.starts_at)


@dataclass
class Day:
    day: date
    slots: list[Slot] = field(default_factory=list)


Interval = tuple[datetime, datetime]


def subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    """What is left of the intervals once the holes are taken out."""
    result = []
    for start, end in intervals:
        pieces = [(start, end)]
        for hole_start, hole_end in holes:
            next_pieces = []
            for a, b in pieces:
                if hole_end <= a or hole_start >= b:
                    next_pieces.append((a, b))
                    continue
                if a < hole_start:
                    next_pieces.append((a, hole_start))
                if hole_end < b:
                    next_pieces.append((hole_end, b))
            pieces = next_pieces
        result.extend(pieces)
    return result


class OfficeCalendar:
    """An office's hours, closures and appointments over some days, read in five queries."""

    def __init__(self, office, first_day: date, last_day: date):
        self.office = office
        self.first_day, self.last_day = first_day, last_day
        self.weekly = defaultdict(list)  # (physician_id, weekday) -> [(starts, ends)]
        weekdays = {day.weekday() for day in self.days()}
        for hours in WeeklyHours.objects.filter(schedule__office=office, weekday__in=weekdays).only(
            "physician_id", "weekday", "starts", "ends"
        ):
            self.weekly[(hours.physician_id, hours.weekday)].append((hours.starts, hours.ends))
        self.extra_here = defaultdict(list)  # (physician_id, day) -> [(starts, ends)]
        self.extra_elsewhere = defaultdict(list)
        for extra in ExtraHours.objects.filter(day__range=(first_day, last_day)).only(
            "physician_id", "office_id", "day", "starts", "ends"
        ):
            target = self.extra_here if extra.office_id == office.pk else self.extra_elsewhere
            target[(extra.physician_id, extra.day)].append((extra.starts, extra.ends))
        self.physician_ids = sorted(
            {pid for pid, _ in self.weekly} | {pid for pid, _ in self.extra_here}
        )
        self.closures = list(
            Closure.objects.filter(
                Q(office__isnull=True) | Q(office=office),
                first_day__lte=last_day,
                last_day__gte=first_day,
            ).only("physician_id", "first_day", "last_day", "from_time", "until_time")
        )
        self.appointments = defaultdict(list)  # physician_id -> [(starts_at, blocks_until)]
        if self.physician_ids:
            for starts_at, blocks_until, physician_id in (
                Appointment.objects.holding_time()
                .filter(
                    physician_id__in=self.physician_ids,
                    starts_at__lt=instant(last_day + timedelta(days=1), time()),
                    blocks_until__gt=instant(first_day, time()),
                )
                .values_list("starts_at", "blocks_until", "physician_id")
            ):
                self.appointments[physician_id].append((starts_at, blocks_until))

    def days(self):
        day = self.first_day
        while day <= self.last_day:
            yield day
            day += timedelta(days=1)

    def hours(self, physician_id: int, day: date) -> list[tuple[time, time]]:
        """The wall-clock blocks a physician is booked to work here that day, before closures."""
        return sorted(
            self.weekly.get((physician_id, day.weekday()), [])
            + self.extra_here.get((physician_id, day), [])
        )

    def closed(self, physician_id: int, day: date) -> list[Interval]:
        """Times the physician is not available here that day: closures, other offices."""
        holes = []
        for closure in self.closures:
            if closure.physician_id not in (None, physician_id):
                continue
            if not closure.first_day <= day <= closure.last_day:
                continue
            if closure.whole_day:
                holes.append((instant(day, time()), instant(day + timedelta(days=1), time())))
            else:
                holes.append((instant(day, closure.from_time), instant(day, closure.until_time)))
        for starts, ends in self.extra_elsewhere.get((physician_id, day), []):
            holes.append((instant(day, starts), instant(day, ends)))
        return holes

    def available(self, physician_id: int, day: date) -> list[Interval]:
        """When the physician is here and not closed, appointments not yet taken out."""
        blocks = [(instant(day, s), instant(day, e)) for s, e in self.hours(physician_id, day)]
        return subtract(blocks, self.closed(physician_id, day))

    def free(self, physician_id: int, day: date) -> list[Interval]:
        """Available time with the appointments (and their buffers) taken out."""
        return subtract(self.available(physician_id, day), self.appointments[physician_id])

    def candidate_starts(self, physician_id: int, day: date, kind: ConsultationType):
        """Start times on the wall-clock grid of each block, each (start, visit end) in UTC."""
        for starts, ends in self.hours(physician_id, day):
            block_end = instant(day, ends)
            wall = datetime.combine(day, starts)
            while wall.date() == day:
                moment = existing_instant(day, wall.time())
                if moment is not None:
                    if moment + kind.duration > block_end:
                        break
                    yield moment, moment + kind.duration
                wall += kind.step

    def is_free(self, physician_id, day, kind, start, end, holes=None) -> bool:
        """Not closed for the visit, and no appointment within the visit and its buffer."""
        holes = self.closed(physician_id, day) if holes is None else holes
        if any(a < end and start < b for a, b in holes):
            return False
        blocks_until = start + kind.step
        return not any(a < blocks_until and start < b for a, b in self.appointments[physician_id])

    def visit_end(self, physician_id, day, kind, starts_at) -> datetime | None:
        """The visit's end when `starts_at` is a start time of this physician's grid that day
        (what candidate_starts would offer), else None; without walking the whole grid."""
        # fold=0: a wall time that happens twice names its first occurrence, as offered.
        wall = office_time(starts_at).replace(tzinfo=None, fold=0)
        if existing_instant(day, wall.time()) != starts_at:
            return None  # another day, or the second 1:30 of the fall-back night
        end = starts_at + kind.duration
        for starts, ends in self.hours(physician_id, day):
            offset = wall - datetime.combine(day, starts)
            if offset >= timedelta(0) and offset % kind.step == timedelta(0):
                return end if end <= instant(day, ends) else None
        return None

    def free_at(self, kind: ConsultationType, starts_at: datetime) -> list[int]:
        """The physicians for whom this exact time is an open start for this kind of visit."""
        day = office_time(starts_at).date()
        free = []
        for physician_id in self.physician_ids:
            end = self.visit_end(physician_id, day, kind, starts_at)
            if end and self.is_free(physician_id, day, kind, starts_at, end):
                free.append(physician_id)
        return free

    def open_slots(self, kind: ConsultationType, *, earliest: datetime, latest_day: date):
        """Open start times per day, each with the physicians free then, in their order."""
        result = {day: {} for day in self.days()}
        for physician_id in self.physician_ids:
            for day in self.days():
                if day > latest_day:
                    continue
                holes = self.closed(physician_id, day)
                for start, end in self.candidate_starts(physician_id, day, kind):
                    if start >= earliest and self.is_free(
                        physician_id, day, kind, start, end, holes
                    ):
                        result[day].setdefault(start, []).append(physician_id)
        return [
            Day(day, [Slot(start, tuple(ids)) for start, ids in sorted(slots.items())])
            for day, slots in result.items()
        ]


@dataclass(frozen=True)
class Window:
    """When a patient may book at an office: from `earliest` to the end of `last_day`."""

    earliest: datetime
    first_day: date
    last_day: date


def booking_window(office, *, now: datetime | None = None, for_staff: bool = False) -> Window:
    """The office's minimum notice (in business days) and booking window, from now."""
    now = now or timezone.now()
    today = office_today(now)
    if for_staff:
        return Window(now, today, today + timedelta(days=STAFF_WINDOW_DAYS))
    schedule = getattr(office, "schedule", None)
    notice = schedule.minimum_notice_days if schedule else 1
    window = schedule.booking_window_days if schedule else 60
    last_day = today + timedelta(days=window)
    if notice == 0:
        return Window(now, today, last_day)
    # Office-wide closures of whole days (holidays), over enough days to count past weekends.
    holidays = list(
        Closure.objects.filter(
            Q(office__isnull=True) | Q(office=office),
            physician__isnull=True,
            from_time__isnull=True,
            first_day__lte=today + timedelta(days=notice * 3 + 14),
            last_day__gte=today,
        ).values_list("first_day", "last_day")
    )
    day, counted = today, 0
    while counted < notice:
        day += timedelta(days=1)
        counted += day.weekday() < 5 and not any(a <= day <= b for a, b in holidays)
    return Window(instant(day, time()), day, last_day)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def open_week(kind: ConsultationType, monday: date, window: Window) -> list[Day]:
    """The week from `monday`: each day with its open times for this consultation type."""
    calendar = OfficeCalendar(kind.office, monday, monday + timedelta(days=6))
    return calendar.open_slots(kind, earliest=window.earliest, latest_day=window.last_day)


def first_open_week(kind: ConsultationType, window: Window, *, from_monday: date) -> date | None:
    """The Monday of the first week, from `from_monday`, that has an open time."""
    monday = max(from_monday, week_start(window.first_day))
    while monday <= window.last_day:
        if any(day.slots for day in open_week(kind, monday, window)):
            return monday
        monday += timedelta(days=7)
    return None


def physicians_free_at(kind: ConsultationType, starts_at: datetime, window: Window) -> list[int]:
    """The physicians who could see a patient of this type at this exact open time."""
    day = office_time(starts_at).date()
    if starts_at < window.earliest or not window.first_day <= day <= window.last_day:
        return []
    return OfficeCalendar(kind.office, day, day).free_at(kind, starts_at)


def nearest_open_slots(
    kind: ConsultationType, around: datetime, window: Window, count: int = 4
) -> list[Slot]:
    """The open times closest to one that was just taken, earlier or later, soonest first."""
    day = min(max(office_time(around).date(), window.first_day), window.last_day)
    first = max(window.first_day, day - timedelta(days=3))
    last = min(window.last_day, day + timedelta(days=10))
    if first > last:
        return []
    calendar = OfficeCalendar(kind.office, first, last)
    slots = [
        slot
        for d in calendar.open_slots(kind, earliest=window.earliest, latest_day=window.last_day)
        for slot in d.slots
    ]
    slots.sort(key=lambda slot: abs(slot.starts_at - around))
    return sorted(slots[:count], key=lambda slot: slot.starts_at)
