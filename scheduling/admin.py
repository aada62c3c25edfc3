from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from modeltranslation.admin import TranslationTabularInline

from bookings.forms import ConsultationRequestForm
from pages.models import Office
from staff.access import Action, record_access
from staff.admin_mixins import RecordedPatientAdminMixin
from staff.offices import visible_offices

from .availability import (
    OfficeCalendar,
    booking_window,
    office_time,
    office_today,
    parse_slot,
    week_start,
)
from .frontdesk import day_sheet, open_call_backs, week_sheet
from .models import (
    Appointment,
    AppointmentEmail,
    AppointmentEvent,
    Closure,
    ConsultationType,
    ExtraHours,
    OfficeSchedule,
    WeeklyHours,
)
from .services import (
    LinkNoLongerWorks,
    SlotTaken,
    book_appointment,
    cancel_appointment,
    confirm_flagged,
    mark_no_show,
    move_appointment,
)


class ConsultationTypeInline(TranslationTabularInline):
    model = ConsultationType
    extra = 0
    fields = ["name", "description", "duration_minutes", "buffer_minutes", "bookable_online"]


class WeeklyHoursInline(admin.TabularInline):
    model = WeeklyHours
    extra = 0
    fields = ["physician", "weekday", "starts", "ends"]


@admin.register(OfficeSchedule)
class OfficeScheduleAdmin(admin.ModelAdmin):
    list_display = [
        "office",
        "online_booking",
        "minimum_notice_days",
        "booking_window_days",
        "front_desk_link",
    ]
    list_select_related = ["office"]
    inlines = [ConsultationTypeInline, WeeklyHoursInline]

    def has_add_permission(self, request):
        # One settings row per office: nothing to add once every office has one.
        return (
            super().has_add_permission(request)
            and Office.objects.filter(schedule__isnull=True).exists()
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "office" and request.resolver_match.url_name.endswith("_add"):
            kwargs["queryset"] = Office.objects.filter(schedule__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="front desk")
    def front_desk_link(self, schedule):
        url = reverse("admin:scheduling_appointment_frontdesk")
        return format_html('<a href="{}?office={}">Day view</a>', url, schedule.office_id)


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = [
        "reason",
        "office",
        "physician",
        "first_day",
        "last_day",
        "from_time",
        "until_time",
    ]
    list_filter = ["office", "physician"]
    list_select_related = ["office", "physician"]
    date_hierarchy = "first_day"


@admin.register(ExtraHours)
class ExtraHoursAdmin(admin.ModelAdmin):
    list_display = ["physician", "office", "day", "starts", "ends", "note"]
    list_filter = ["office", "physician"]
    list_select_related = ["office", "physician"]
    date_hierarchy = "day"


class AppointmentEventInline(admin.TabularInline):
    model = AppointmentEvent
    extra = 0
    fields = ["at", "action", "starts_at", "by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AppointmentEmailInline(admin.TabularInline):
    model = AppointmentEmail
    extra = 0
    fields = ["kind", "lead_minutes", "status", "attempts", "sent_at", "last_error"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "emails to the patient"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(RecordedPatientAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "when",
        "office",
        "physician",
        "consultation_type",
        "patient",
        "status",
    ]
    list_filter = ["office", "status", "physician"]
    list_select_related = ["office", "physician", "consultation_type__schedule__office"]
    search_fields = ["reference", "last_name", "first_name", "email", "phone"]
    date_hierarchy = "starts_at"
    actions = ["cancel_selected", "mark_selected_no_show", "confirm_selected"]
    inlines = [AppointmentEventInline, AppointmentEmailInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "status",
                    "when",
                    "office",
                    "physician",
                    "consultation_type",
                    "treatment",
                    "manage_links",
                ]
            },
        ),
        (
            "Patient",
            {
                "fields": [
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                    "phone_extension",
                    "language",
                    "message",
                ]
            },
        ),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": [
                    "booked_by",
                    "spam_reason",
                    "consent_version",
                    "consent_text",
                    "consented_at",
                    "created_at",
                    "sequence",
                ],
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Changes go through the actions and the move page, which keep the rules and email.
        return [name for fieldset in self.fieldsets for name in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return False  # staff book through the front desk's "Book" page

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="when", ordering="starts_at")
    def when(self, appointment):
        return f"{office_time(appointment.starts_at):%a %Y-%m-%d %H:%M}"

    @admin.display(description="patient", ordering="last_name")
    def patient(self, appointment):
        return appointment.full_name

    @admin.display(description="front desk")
    def manage_links(self, appointment):
        day = office_time(appointment.starts_at).date()
        sheet = reverse("admin:scheduling_appointment_frontdesk")
        links = [
            format_html(
                '<a href="{}?{}">Day view</a>',
                sheet,
                urlencode({"office": appointment.office_id, "day": day.isoformat()}),
            )
        ]
        if appointment.is_booked:
            links.append(
                format_html(
                    '<a href="{}">Move to another time</a>',
                    reverse("admin:scheduling_appointment_move", args=[appointment.pk]),
                )
            )
        return format_html(" · ".join(["{}"] * len(links)), *links)

    # --- Actions: each through a service, each emails the patient where it should ---

    @admin.action(description="Cancel the selected appointments (the patients are emailed)")
    def cancel_selected(self, request, queryset):
        count = 0
        for pk in queryset.values_list("pk", flat=True):
            cancel_appointment(appointment_id=pk, by=request.user)
            count += 1
        self.message_user(request, f"Cancelled {count} appointment(s); their times are free.")

    @admin.action(description="Mark the selected appointments as no-shows")
    def mark_selected_no_show(self, request, queryset):
        marked = sum(
            mark_no_show(appointment_id=pk, by=request.user)
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"Marked {marked} appointment(s) as no-shows.")
        if marked < queryset.count():
            self.message_user(
                request,
                "Only booked appointments that have begun can be no-shows.",
                messages.WARNING,
            )

    @admin.action(description="Confirm the selected flagged bookings")
    def confirm_selected(self, request, queryset):
        for appointment in queryset.filter(status=Appointment.Status.FLAGGED):
            try:
                confirm_flagged(appointment_id=appointment.pk, by=request.user)
            except SlotTaken:
                self.message_user(
                    request,
                    f"{appointment.reference}: its time has been booked by someone else.",
                    messages.ERROR,
                )

    # --- Front desk pages ---

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "front-desk/", wrap(self.front_desk_view), name="scheduling_appointment_frontdesk"
            ),
            path("book/", wrap(self.book_view), name="scheduling_appointment_book"),
            path("<int:pk>/move/", wrap(self.move_view), name="scheduling_appointment_move"),
            path(
                "<int:pk>/cancel/",
                wrap(require_POST(self.cancel_view)),
                name="scheduling_appointment_cancel",
            ),
            path(
                "<int:pk>/no-show/",
                wrap(require_POST(self.no_show_view)),
                name="scheduling_appointment_noshow",
            ),
            *super().get_urls(),
        ]

    def _need(self, request, action):
        if not request.user.has_perm(f"scheduling.{action}_appointment"):
            raise PermissionDenied

    def _office_and_day(self, request):
        offices = list(visible_offices(request.user))  # a front desk works its own offices
        if not offices:
            raise PermissionDenied
        chosen = next((o for o in offices if str(o.pk) == request.GET.get("office")), offices[0])
        try:
            day = date.fromisoformat(str(request.GET.get("day", ""))[:10])
        except ValueError:
            day = office_today()
        return offices, chosen, day

    def front_desk_view(self, request):
        """A day (or week) at one office: appointments, free time, and waiting call-backs."""
        self._need(request, "view")
        offices, office, day = self._office_and_day(request)
        week = request.GET.get("view") == "week"
        monday = week_start(day)
        step = timedelta(days=7 if week else 1)

        def url(**params):
            query = {
                "office": office.pk,
                "day": day.isoformat(),
                **({"view": "week"} if week else {}),
            }
            query.update(params)
            return "?" + urlencode({k: v for k, v in query.items() if v})

        context = {
            **self.admin_site.each_context(request),
            "office_zone": settings.SCHEDULING_TIME_ZONE,
            "title": f"Front desk: {office.name}",
            "opts": self.model._meta,
            "offices": [(o, url(office=o.pk)) for o in offices],
            "office": office,
            "day": day,
            "week": week,
            "monday": monday,
            "previous_url": url(day=(day - step).isoformat()),
            "next_url": url(day=(day + step).isoformat()),
            "today_url": url(day=office_today().isoformat()),
            "day_url": url(view=""),
            "week_url": url(view="week"),
            "call_backs": open_call_backs(office)
            if request.user.has_perm("bookings.view_consultationrequest")
            else None,
            "can_book": request.user.has_perm("scheduling.add_appointment"),
            "can_change": request.user.has_perm("scheduling.change_appointment"),
            "now": timezone.now(),
        }
        if week:
            context["week_days"] = [
                (entry, url(view="", day=entry.day.isoformat()))
                for entry in week_sheet(office, monday)
            ]
        else:
            context["sheets"] = day_sheet(office, day)
            context["book_url"] = (
                reverse("admin:scheduling_appointment_book")
                + "?"
                + urlencode({"office": office.pk, "day": day.isoformat()})
            )
        # Patients' names are on this page: the privacy officer sees who looked, and when.
        record_access(
            request=request,
            action=Action.VIEW,
            detail=f"Front desk {'week' if week else 'day'} of {office.name}, {day.isoformat()}",
        )
        return TemplateResponse(request, "admin/scheduling/front_desk.html", context)

    def _back_to_day(self, appointment):
        day = office_time(appointment.starts_at).date()
        return redirect(
            reverse("admin:scheduling_appointment_frontdesk")
            + "?"
            + urlencode({"office": appointment.office_id, "day": day.isoformat()})
        )

    def cancel_view(self, request, pk):
        self._need(request, "change")
        get_object_or_404(self.get_queryset(request), pk=pk)  # one of this person's offices
        appointment = cancel_appointment(appointment_id=pk, by=request.user)
        messages.success(request, f"{appointment.reference} is cancelled; its time is free.")
        return self._back_to_day(appointment)

    def no_show_view(self, request, pk):
        self._need(request, "change")
        appointment = get_object_or_404(self.get_queryset(request), pk=pk)
        if mark_no_show(appointment_id=pk, by=request.user):
            messages.success(request, f"{appointment.reference} is marked as a no-show.")
        else:
            messages.error(request, "Only a booked appointment that has begun can be a no-show.")
        return self._back_to_day(appointment)

    def _open_slots(self, kind, day):
        window = booking_window(kind.office, for_staff=True)
        calendar = OfficeCalendar(kind.office, day, day)
        return calendar.open_slots(kind, earliest=window.earliest, latest_day=window.last_day)[
            0
        ].slots

    def book_view(self, request):
        """Book a patient on the phone into an open time (minimum notice does not apply)."""
        self._need(request, "add")
        offices, office, day = self._office_and_day(request)
        kinds = list(ConsultationType.objects.filter(schedule__office=office))
        kind = next((k for k in kinds if str(k.pk) == request.GET.get("type")), None)
        form = StaffBookingForm(request.POST if request.method == "POST" else None)
        if kind and request.method == "POST" and form.is_valid():
            try:
                appointment, _ = book_appointment(
                    kind=kind,
                    starts_at=form.cleaned_data["slot"],
                    patient=form.cleaned_data,
                    language=form.cleaned_data["language"],
                    booked_by=request.user,
                )
            except SlotTaken:
                form.add_error("slot", "That time was just booked. Please choose another.")
            else:
                messages.success(
                    request,
                    f"Booked {appointment.reference}"
                    + (" and emailed the patient." if appointment.email else "."),
                )
                return self._back_to_day(appointment)
        context = {
            **self.admin_site.each_context(request),
            "office_zone": settings.SCHEDULING_TIME_ZONE,
            "title": f"Book a patient at {office.name}",
            "opts": self.model._meta,
            "offices": offices,
            "office": office,
            "day": day,
            "kinds": kinds,
            "kind": kind,
            "slots": self._open_slots(kind, day) if kind else [],
            "form": form,
            "chosen": request.POST.get("slot", ""),
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/scheduling/book.html", context, status=status)

    def move_view(self, request, pk):
        """Move an appointment to another open time; the patient gets the new calendar file."""
        self._need(request, "change")
        appointment = get_object_or_404(
            self.get_queryset(request).select_related(
                "office", "consultation_type__schedule__office"
            ),
            pk=pk,
        )
        try:
            day = date.fromisoformat(str(request.GET.get("day", ""))[:10])
        except ValueError:
            day = office_time(appointment.starts_at).date()
        error = ""
        if request.method == "POST":
            starts_at = parse_slot(request.POST.get("slot"))
            if starts_at is None:
                error = "Please choose a time."
            else:
                try:
                    moved = move_appointment(
                        appointment_id=pk, starts_at=starts_at, by=request.user
                    )
                except SlotTaken:
                    error = "That time was just booked. Please choose another."
                except LinkNoLongerWorks:
                    error = "Only a booked appointment can be moved."
                else:
                    messages.success(request, f"{moved.reference} moved; the patient is emailed.")
                    return self._back_to_day(moved)
        context = {
            **self.admin_site.each_context(request),
            "office_zone": settings.SCHEDULING_TIME_ZONE,
            "title": f"Move {appointment.reference}",
            "opts": self.model._meta,
            "original": appointment,
            "appointment": appointment,
            "day": day,
            "previous_day": (day - timedelta(days=1)).isoformat(),
            "next_day": (day + timedelta(days=1)).isoformat(),
            "slots": self._open_slots(appointment.consultation_type, day),
            "error": error,
        }
        return TemplateResponse(
            request, "admin/scheduling/move.html", context, status=400 if error else 200
        )


class StaffBookingForm(forms.Form):
    """A patient's details as front desk takes them on the phone; email is optional."""

    slot = forms.CharField(error_messages={"required": "Please choose a time."})
    first_name = ConsultationRequestForm.base_fields["first_name"]
    last_name = ConsultationRequestForm.base_fields["last_name"]
    email = forms.EmailField(
        required=False, help_text="Optional: the confirmation and calendar file go here."
    )
    phone = ConsultationRequestForm.base_fields["phone"]
    language = forms.ChoiceField(
        choices=[("en", "English"), ("es", "Spanish")],
        initial="en",
        help_text="For the patient's emails.",
    )
    message = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    clean_phone = ConsultationRequestForm.clean_phone

    def clean_slot(self):
        moment = parse_slot(self.cleaned_data["slot"])
        if moment is None:
            raise forms.ValidationError("Please choose a time.")
        return moment

    def clean(self):
        cleaned = super().clean()
        cleaned["phone_extension"] = getattr(self, "_phone_extension", "")
        return cleaned


@admin.register(AppointmentEmail)
class AppointmentEmailAdmin(admin.ModelAdmin):
    list_display = ["appointment", "kind", "lead_minutes", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["appointment"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
