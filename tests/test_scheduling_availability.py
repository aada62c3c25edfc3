"""Open times: hours, closures, notice and window, and the clock changes in Los Angeles."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from pages.models import Office
from scheduling.availability import (
    OfficeCalendar,
    booking_window,
    office_time,
    open_week,
    physicians_free_at,
)
from scheduling.models import Closure, ExtraHours
from scheduling.services import book_appointment
from tests.factories import make_bookable, make_physician

pytestmark = pytest.mark.django_db
LA = ZoneInfo("America/Los_Angeles")
PATIENT = {
    "first_name": "Ana",
    "last_name": "Ruiz",
    "email": "a@example.org",
    "phone": "+12133734253",
}


@pytest.fixture
def encino(offices):
    return Office.objects.get(slug="encino")


@pytest.fixture
def physician(db):
    return make_physician()


def local_times(kind, day):
    calendar = OfficeCalendar(kind.office, day, day)
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    slots = calendar.open_slots(kind, earliest=long_ago, latest_day=day)[0].slots
    return [f"{office_time(slot.starts_at):%H:%M}" for slot in slots], slots


def test_on_the_spring_forward_night_there_is_no_slot_at_2_30(encino, physician):
    kind = make_bookable(encino, physician, weekdays=[6], hours=(("01:00", "04:00"),))
    shown, slots = local_times(kind, date(2027, 3, 14))  # a Sunday: 2:00 jumps to 3:00
    assert shown == ["01:00", "01:30", "03:00", "03:30"]
    # Each is a real half hour: the 1:30 visit ends when the clock shows 3:00.
    assert slots[2].starts_at - slots[1].starts_at == timedelta(minutes=30)


def test_on_the_fall_back_night_no_time_is_offered_twice(encino, physician):
    kind = make_bookable(encino, physician, weekdays=[6], hours=(("00:30", "03:00"),))
    shown, slots = local_times(kind, date(2026, 11, 1))  # a Sunday: 2:00 goes back to 1:00
    assert shown == ["00:30", "01:00", "01:30", "02:00", "02:30"]
    assert len({slot.starts_at for slot in slots}) == len(slots)
    # 1:30 is the first one (daylight time), so its visit cannot overlap the 2:00 one.
    assert office_time(slots[2].starts_at).utcoffset() == timedelta(hours=-7)
    gaps = [b.starts_at - a.starts_at for a, b in zip(slots, slots[1:], strict=False)]
    assert min(gaps) >= timedelta(minutes=30)


def test_a_server_running_in_utc_offers_the_same_office_times(encino, physician):
    kind = make_bookable(encino, physician, weekdays=[0], hours=(("09:00", "10:00"),), notice=1)
    monday = date(2026, 12, 7)
    in_la, slots_la = local_times(kind, monday)
    with override_settings(TIME_ZONE="UTC"):
        in_utc, slots_utc = local_times(kind, monday)
        window = booking_window(encino, now=datetime(2026, 12, 3, 20, tzinfo=LA))
    assert in_la == in_utc == ["09:00", "09:30"]
    assert slots_la == slots_utc
    assert slots_utc[0].starts_at == datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    # Thursday evening in Los Angeles is already Friday in UTC: the next business day is Friday.
    assert window.first_day == date(2026, 12, 4)


def test_minimum_notice_of_one_business_day_skips_the_weekend(encino, physician):
    make_bookable(encino, physician, notice=1)
    friday_afternoon = datetime(2026, 12, 4, 15, 0, tzinfo=LA)
    window = booking_window(encino, now=friday_afternoon)
    assert window.first_day == date(2026, 12, 7)  # Monday
    assert window.earliest == datetime(2026, 12, 7, 0, 0, tzinfo=LA)


def test_minimum_notice_skips_a_holiday_after_the_weekend(encino, physician):
    make_bookable(encino, physician, notice=1)
    Closure.objects.create(
        first_day=date(2026, 12, 7), last_day=date(2026, 12, 7), reason="Holiday"
    )
    # A physician's day off is not a holiday: it does not push the office's notice.
    Closure.objects.create(
        physician=physician, first_day=date(2026, 12, 8), last_day=date(2026, 12, 8), reason="Off"
    )
    window = booking_window(encino, now=datetime(2026, 12, 4, 15, 0, tzinfo=LA))
    assert window.first_day == date(2026, 12, 8)  # Tuesday
    two_days = make_bookable(Office.objects.get(slug="los-angeles"), physician, notice=2)
    window = booking_window(two_days.office, now=datetime(2026, 12, 4, 15, 0, tzinfo=LA))
    assert window.first_day == date(2026, 12, 9)  # Monday is a holiday everywhere


def test_the_booking_window_ends_the_offer(encino, physician):
    kind = make_bookable(encino, physician, window=10, notice=0)
    now = datetime(2026, 12, 2, 8, 0, tzinfo=LA)
    window = booking_window(encino, now=now)
    assert window.last_day == date(2026, 12, 12)
    days = open_week(kind, date(2026, 12, 7), window)
    assert [bool(day.slots) for day in days] == [True] * 6 + [False]  # Sunday the 13th is out


def test_closures_and_a_day_at_the_other_office_close_those_hours(encino, physician):
    kind = make_bookable(encino, physician, weekdays=[0, 1, 2], hours=(("09:00", "11:00"),))
    los_angeles = Office.objects.get(slug="los-angeles")
    Closure.objects.create(
        office=encino,
        first_day=date(2026, 12, 7),
        last_day=date(2026, 12, 7),
        from_time=time(9, 0),
        until_time=time(10, 0),
        reason="Staff meeting",
    )
    ExtraHours.objects.create(
        physician=physician,
        office=los_angeles,
        day=date(2026, 12, 8),
        starts=time(8),
        ends=time(12),
    )
    Closure.objects.create(
        physician=physician, first_day=date(2026, 12, 9), last_day=date(2026, 12, 9), reason="Off"
    )
    assert local_times(kind, date(2026, 12, 7))[0] == ["10:00", "10:30"]
    assert local_times(kind, date(2026, 12, 8))[0] == []
    assert local_times(kind, date(2026, 12, 9))[0] == []


def test_a_booked_time_and_its_buffer_are_no_longer_offered(encino, physician):
    kind = make_bookable(encino, physician, weekdays=[0], hours=(("09:00", "11:00"),), buffer=10)
    monday = date(2026, 12, 7)
    shown, slots = local_times(kind, monday)
    assert shown == ["09:00", "09:40", "10:20"]
    before = datetime(2026, 12, 1, 9, 0, tzinfo=LA)
    book_appointment(kind=kind, starts_at=slots[1].starts_at, patient=PATIENT, now=before)
    assert local_times(kind, monday)[0] == ["09:00", "10:20"]
    window = booking_window(encino, now=before)
    assert physicians_free_at(kind, slots[1].starts_at, window) == []


def test_a_time_is_bookable_exactly_when_the_picker_offers_it(encino, physician):
    kind = make_bookable(
        encino, physician, weekdays=[6], hours=(("00:30", "03:00"), ("09:10", "10:00")), buffer=5
    )
    window = booking_window(encino, now=datetime(2026, 10, 1, tzinfo=LA))
    day = date(2026, 11, 1)  # the fall-back Sunday
    offered = set(local_times(kind, day)[1])
    every_five_minutes = [
        datetime(2026, 11, 1, 7, 0, tzinfo=UTC) + timedelta(minutes=5 * n) for n in range(12 * 20)
    ]
    bookable = {m for m in every_five_minutes if physicians_free_at(kind, m, window)}
    assert bookable == {slot.starts_at for slot in offered}
    assert len(bookable) == 5  # 0:30, 1:05, 1:40, 2:15 and 9:10; never the second 1:05
