"""Online booking for patients: pick an office and a kind of visit, a time, then your details."""

import logging
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from bookings.spam import RateLimiter, read_form_token
from clinic_site.client_ip import get_client_ip
from pages.models import Office, Treatment

from .availability import (
    booking_window,
    first_open_week,
    nearest_open_slots,
    open_week,
    parse_slot,
    physicians_free_at,
    week_start,
)
from .forms import BookingDetailsForm
from .links import link_works, manage_path, read_manage_token
from .models import Appointment, ConsultationType
from .services import (
    LinkNoLongerWorks,
    SlotTaken,
    book_appointment,
    cancel_appointment,
    move_appointment,
)

logger = logging.getLogger(__name__)

BOOKED_COOKIE = "appointment_ref"
BOOKED_SALT = "scheduling.booked"
BOOKED_MAX_AGE = 60 * 60


def page(request, template, context, *, status=200):
    """Render a booking page; times are shown on the offices' clock (SCHEDULING_TIME_ZONE)."""
    return render(
        request,
        template,
        {"office_zone": settings.SCHEDULING_TIME_ZONE, **context},
        status=status,
    )


def _treatment(slug):
    if not slug:
        return None
    return (
        Treatment.objects.published()
        .filter(slug=str(slug)[:50])
        .only("pk", "slug", "title")
        .first()
    )


def _kind(type_id) -> ConsultationType | None:
    try:
        pk = int(type_id)
    except (TypeError, ValueError):
        return None
    return (
        ConsultationType.objects.online().select_related("schedule__office").filter(pk=pk).first()
    )


@never_cache
def start(request):
    """Step 1: an office and a kind of visit, as one choice (radio buttons, no script)."""
    office_slug = str(request.GET.get("office", ""))[:50]
    offices = list(Office.objects.select_related("schedule"))
    kinds = list(ConsultationType.objects.online())
    chosen = [o for o in offices if o.slug == office_slug]
    shown = chosen or offices
    groups = []
    for office in shown:
        schedule = getattr(office, "schedule", None)  # None: the office never took bookings
        groups.append(
            {
                "office": office,
                "online": bool(schedule and schedule.online_booking),
                "kinds": [k for k in kinds if schedule and k.schedule_id == schedule.pk],
            }
        )
    treatment = _treatment(request.GET.get("treatment"))
    error = request.GET.get("missing") == "type"
    return page(
        request,
        "scheduling/start.html",
        {
            "groups": groups,
            "one_office": bool(chosen),
            "treatment": treatment,
            "missing_type": error,
            "any_online": any(g["online"] and g["kinds"] for g in groups),
        },
        status=400 if error else 200,
    )


def _week_from(request, window) -> date:
    try:
        asked = date.fromisoformat(str(request.GET.get("week", ""))[:10])
    except ValueError:
        asked = None
    first, last = week_start(window.first_day), week_start(window.last_day)
    if asked is None:
        return first
    return min(max(week_start(asked), first), last)


def week_context(kind, window, monday, *, base_url, extra_query):
    """Everything the time picker shows for one week, with links to the weeks around it."""
    days = open_week(kind, monday, window)
    first, last = week_start(window.first_day), week_start(window.last_day)

    def week_url(day):
        return f"{base_url}?{urlencode({**extra_query, 'week': day.isoformat()})}"

    context = {
        "kind": kind,
        "office": kind.office,
        "days": days,
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "has_slots": any(day.slots for day in days),
        "previous_url": week_url(monday - timedelta(days=7)) if monday > first else "",
        "next_url": week_url(monday + timedelta(days=7)) if monday < last else "",
        "next_open_url": "",
    }
    if not context["has_slots"] and monday < last:
        found = first_open_week(kind, window, from_monday=monday + timedelta(days=7))
        if found:
            context["next_open_url"] = week_url(found)
    return context


@never_cache
def times(request):
    """Step 2: the open times of one week, days as groups of radio buttons."""
    kind = _kind(request.GET.get("type"))
    if kind is None:
        if request.GET.get("type"):
            return _unavailable(request)
        return redirect(f"{reverse('scheduling:start')}?missing=type")
    window = booking_window(kind.office)
    treatment = _treatment(request.GET.get("treatment"))
    query = {"type": kind.pk, **({"treatment": treatment.slug} if treatment else {})}
    context = week_context(
        kind,
        window,
        _week_from(request, window),
        base_url=reverse("scheduling:times"),
        extra_query=query,
    )
    missing = request.GET.get("missing") == "slot"
    context.update(treatment=treatment, missing_slot=missing, mode="book")
    return page(request, "scheduling/times.html", context, status=400 if missing else 200)


def _unavailable(request):
    """A kind of visit that is not (or no longer) booked online: say so, offer the request form."""
    return page(request, "scheduling/unavailable.html", {}, status=404)


def _show_booked(request, reference):
    response = redirect("scheduling:booked")
    response.set_signed_cookie(
        BOOKED_COOKIE,
        reference,
        salt=BOOKED_SALT,
        max_age=BOOKED_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _spam_reason(form, token) -> str:
    if form.honeypot_filled:
        return "honeypot"
    if token is None or token.filled_too_fast():
        return "too_fast"
    return ""


@never_cache
def details(request):
    """Step 3: the patient's details for the chosen time; the booking itself on POST."""
    source = request.POST if request.method == "POST" else request.GET
    kind = _kind(source.get("type"))
    if kind is None:
        return _unavailable(request)
    treatment = _treatment(source.get("treatment"))
    context = {"kind": kind, "office": kind.office, "treatment": treatment}

    if request.method != "POST":
        window = booking_window(kind.office)
        starts_at = parse_slot(request.GET.get("slot"))
        if starts_at is None:
            query = {"type": kind.pk, "missing": "slot"}
            if treatment:
                query["treatment"] = treatment.slug
            return redirect(f"{reverse('scheduling:times')}?{urlencode(query)}")
        form = BookingDetailsForm(initial={"slot": request.GET.get("slot")})
        context.update(form=form, starts_at=starts_at)
        if not physicians_free_at(kind, starts_at, window):
            context.update(taken=True, alternatives=nearest_open_slots(kind, starts_at, window))
            return page(request, "scheduling/details.html", context, status=409)
        return page(request, "scheduling/details.html", context)

    # A form sent twice is recognised by its token inside book_appointment, so the usual case
    # costs no lookup first.
    token = read_form_token(request.POST.get("token"))
    form = BookingDetailsForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        starts_at = parse_slot(request.POST.get("slot"))
        context["starts_at"] = starts_at
        return page(request, "scheduling/details.html", context, status=400)

    starts_at = form.cleaned_data["slot"]
    context["starts_at"] = starts_at
    spam_reason = _spam_reason(form, token)
    limit = RateLimiter().hit(get_client_ip(request))
    if not limit.allowed:
        if not limit.keep_as_spam:
            logger.warning("Booking form: rate limit far exceeded; booking not stored")
            response = render(request, "429.html", {"kept": False}, status=429)
            response["Retry-After"] = str(settings.BOOKINGS_RATE_LIMIT_WINDOW)
            return response
        spam_reason = spam_reason or "rate_limited"
    try:
        appointment, _created = book_appointment(
            kind=kind,
            starts_at=starts_at,
            patient=form.cleaned_data,
            consent_version=form.cleaned_data["consent_version"],
            form_token=token.nonce if token else secrets.token_urlsafe(16),
            language=getattr(request, "LANGUAGE_CODE", "") or "",
            treatment=treatment,
            spam_reason=spam_reason,
        )
    except SlotTaken:
        window = booking_window(kind.office)
        context.update(taken=True, alternatives=nearest_open_slots(kind, starts_at, window))
        return page(request, "scheduling/details.html", context, status=409)
    except DatabaseError:
        logger.exception("Booking form: the appointment could not be saved")
        context["save_failed"] = True
        return page(request, "scheduling/details.html", context, status=503)
    return _show_booked(request, appointment.reference)


@never_cache
def booked(request):
    reference = request.get_signed_cookie(
        BOOKED_COOKIE, default=None, salt=BOOKED_SALT, max_age=BOOKED_MAX_AGE
    )
    appointment = (
        Appointment.objects.select_related("office", "physician", "consultation_type")
        .filter(reference=reference)
        .first()
        if reference
        else None
    )
    return page(request, "scheduling/booked.html", {"appointment": appointment})


def _from_link(token):
    """The appointment a manage link names and the link's key; Http404 for a forged link."""
    found = read_manage_token(token)
    if found is None:
        raise Http404("Not a valid link")
    pk, key = found
    appointment = (
        Appointment.objects.select_related(
            "office__schedule", "physician", "consultation_type__schedule__office"
        )
        .filter(pk=pk)
        .first()
    )
    if appointment is None:
        raise Http404("Not a valid link")
    return appointment, key


def _dead_link(request, appointment):
    return page(request, "scheduling/link_expired.html", {"appointment": appointment}, status=410)


@never_cache
def manage(request, token):
    """The patient's own page for one appointment: see it, move it, cancel it."""
    appointment, key = _from_link(token)
    if not link_works(appointment, key):
        return _dead_link(request, appointment)
    if request.method == "POST":
        try:
            appointment = cancel_appointment(appointment_id=appointment.pk, key=key)
        except LinkNoLongerWorks:
            return _dead_link(request, appointment)
        return page(request, "scheduling/cancelled.html", {"appointment": appointment})
    return page(
        request,
        "scheduling/manage.html",
        {
            "appointment": appointment,
            "moved": request.GET.get("moved") == "1",
            "token": token,
        },
    )


@never_cache
def move(request, token):
    """Choose another time for an appointment, from its manage link."""
    appointment, key = _from_link(token)
    if not link_works(appointment, key):
        return _dead_link(request, appointment)
    kind = appointment.consultation_type
    window = booking_window(appointment.office)
    status, taken, alternatives = 200, False, []
    if request.method == "POST":
        starts_at = parse_slot(request.POST.get("slot"))
        if starts_at is None:
            status = 400
        else:
            try:
                moved = move_appointment(
                    appointment_id=appointment.pk, starts_at=starts_at, key=key
                )
            except LinkNoLongerWorks:
                return _dead_link(request, appointment)
            except SlotTaken:
                status, taken = 409, True
                alternatives = nearest_open_slots(kind, starts_at, window)
            else:
                return redirect(f"{manage_path(moved)}?moved=1")
    base_url = reverse("scheduling:move", kwargs={"token": token})
    context = week_context(
        kind, window, _week_from(request, window), base_url=base_url, extra_query={}
    )
    context.update(
        appointment=appointment,
        mode="move",
        token=token,
        missing_slot=status == 400,
        taken=taken,
        alternatives=alternatives,
        treatment=None,
    )
    return page(request, "scheduling/times.html", context, status=status)
