"""Calendar files (RFC 5545/5546) for the patient's calendar: a request, or its cancellation."""

from datetime import UTC, date, datetime
from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from .availability import office_time
from .models import Appointment


def uid(appointment: Appointment) -> str:
    """The event's id for life: every change and the cancellation name the same event."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"{appointment.uid}@{host or 'clinic'}"


@lru_cache(maxsize=8)
def zone_rules(tzid: str, year: int) -> Timezone:
    """The zone's VTIMEZONE around one year, made once per worker: short, and every calendar
    app reads it."""
    return Timezone.from_tzid(tzid, first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))


def calendar_file(appointment: Appointment, *, cancel: bool = False) -> bytes:
    """METHOD:REQUEST with the current time, or METHOD:CANCEL; SEQUENCE is the appointment's."""
    office = appointment.office
    with translation.override(appointment.language_code):
        summary = gettext("Consultation at our %(office)s office") % {"office": office.name}
        description = gettext(
            "%(kind)s. Reference %(reference)s. To change or cancel, use the link in your "
            "email or call %(phone)s."
        ) % {
            "kind": appointment.consultation_type.name,
            "reference": appointment.reference,
            "phone": office.phone_display,
        }
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Online booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    # Times in the offices' zone (TZID), with its rules before the event that uses them.
    start = office_time(appointment.starts_at)
    calendar.add_component(zone_rules(settings.SCHEDULING_TIME_ZONE, start.year))
    event = Event()
    event.add("uid", uid(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", start)
    event.add("dtend", office_time(appointment.ends_at))
    event.add("summary", summary)
    event.add("description", description)
    event.add(
        "location",
        f"{settings.SITE_NAME}, {office.street_address}, {office.city}, {office.state} "
        f"{office.postal_code}",
    )
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{office.consultation_email}")
    organizer.params["cn"] = vText(f"{settings.SITE_NAME} ({office.name})")
    event.add("organizer", organizer)
    if appointment.email:
        attendee = vCalAddress(f"mailto:{appointment.email}")
        attendee.params["cn"] = vText(appointment.full_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()
