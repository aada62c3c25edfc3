import csv
import logging

import phonenumbers
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, Subquery
from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language_info

from staff.access import Action, record_access
from staff.admin_mixins import RecordedPatientAdminMixin

from .forms import normalise_name
from .models import (
    ConsultationRequest,
    Notification,
    PurgeRun,
    StaffNote,
    StatusChange,
)
from .roles import FRONT_DESK
from .services import assign, change_status

logger = logging.getLogger(__name__)
Status = ConsultationRequest.Status

# Spreadsheet apps run cells starting with these as formulas; a leading quote makes them text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def as_e164(text: str) -> str:
    """A search term that is a phone number, in the stored E.164 form; else empty."""
    if sum(ch.isdigit() for ch in text) < 7:
        return ""
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def readable_phone(e164: str) -> str:
    """A stored number as people write it: (818) 555-0199 in the US, +44 20 7946 0958 abroad."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def staff_name(user) -> str:
    """How staff are named to each other: the full name, else the username."""
    return (user.get_full_name() or user.get_username()) if user else ""


def assignable_staff(*, also_pk=None):
    """Active front-desk staff by name, plus the user also_pk (a request's current assignee)."""
    who = Q(is_active=True, is_staff=True, groups__name=FRONT_DESK)
    if also_pk is not None:
        who |= Q(pk=also_pk)
    return (
        get_user_model()
        .objects.filter(who)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return staff_name(user)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class StatusFilter(admin.SimpleListFilter):
    """Spam has a filter of its own and stays out of the working list (except in searches)."""

    title = "status"
    parameter_name = "status"
    EVERYTHING = "all"

    def lookups(self, request, model_admin):
        return [*Status.choices, (self.EVERYTHING, "All, spam included")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.EVERYTHING or (value is None and request.GET.get("q")):
            return queryset
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset.exclude(status=Status.SPAM)

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "All but spam",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class WaitingFilter(admin.SimpleListFilter):
    title = "waiting"
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("stale", "New for over a business day")]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.stale()
        return queryset


class LanguageFilter(admin.SimpleListFilter):
    """The language of the site the patient used, so staff can call back in it."""

    title = "patient's language"
    parameter_name = "language"

    def lookups(self, request, model_admin):
        # In English for staff: "Spanish", not the "Español" the public switcher shows.
        return [(code, get_language_info(code)["name"]) for code, _ in settings.LANGUAGES]

    def queryset(self, request, queryset):
        value = self.value()
        if value not in dict(settings.LANGUAGES):
            return queryset
        # Regional codes ("en-us") count as their language.
        return queryset.filter(Q(language=value) | Q(language__startswith=f"{value}-"))


class StaffNoteForm(forms.ModelForm):
    class Meta:
        model = StaffNote
        fields = ["body"]
        # A table's column heading is no label: screen readers need the field named.
        widgets = {"body": forms.Textarea(attrs={"rows": 2, "aria-label": "New staff note"})}


class StaffNoteInline(admin.TabularInline):
    model = StaffNote
    form = StaffNoteForm
    extra = 1
    fields = ["body", "written_by", "written_at"]
    readonly_fields = ["written_by", "written_at"]
    can_delete = False
    verbose_name = "staff note"
    verbose_name_plural = "staff notes (visible to staff only)"

    def has_change_permission(self, request, obj=None):
        # Notes are a record: staff add new ones, nobody rewrites old ones.
        return False

    @admin.display(description="author")
    def written_by(self, note):
        # A name, not Django's link to the user admin, which front desk may not open.
        return staff_name(note.author) if note.author_id else ""

    @admin.display(description="written at")
    def written_at(self, note):
        # A blank row's default would show the time the page was opened: say nothing yet.
        return localize(timezone.localtime(note.created_at)) if note.pk else ""


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = ["changed_at", "from_status", "to_status", "who"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "status history"

    @admin.display(description="by")
    def who(self, change):
        return staff_name(change.changed_by) if change.changed_by_id else "the website"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NotificationInline(admin.TabularInline):
    model = Notification
    extra = 0
    # Two columns, so the table fits a phone without a scrolling box no keyboard can reach.
    fields = ["kind", "outcome"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "emails"

    @admin.display(description="outcome")
    def outcome(self, notification):
        when = localize(timezone.localtime(notification.last_attempt_at or notification.created_at))
        tries = "1 try" if notification.attempts == 1 else f"{notification.attempts} tries"
        if notification.status == Notification.Status.SENT:
            return f"Sent {localize(timezone.localtime(notification.sent_at))}"
        if notification.status == Notification.Status.PENDING:
            return "Waiting to be sent"
        if notification.status == Notification.Status.SENDING:
            return f"Being sent (since {when})"
        if notification.attempts >= settings.BOOKINGS_NOTIFICATION_MAX_ATTEMPTS:
            return f"Given up after {tries}, the last {when}: {notification.last_error}"
        return f"Failed ({tries}, the last {when}); will retry: {notification.last_error}"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


SUBMISSION_FIELDS = [
    "reference",
    "created_at",
    "office",
    "treatment_name",
    "patient_status",
    "first_name",
    "last_name",
    "email_link",
    "phone_link",
    "contact_method",
    "preferred_days_list",
    "preferred_time",
    "payment",
    "language_name",
    "message",
    "medical_warning_shown",
    "rate_limit_note",
    "correction_of",
    "corrected_by",
    "consent_to_contact",
    "consent_to_texts",
    "consent_version",
    "consent_text",
    "consented_at",
    "spam_reason",
    "updated_at",
]


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(RecordedPatientAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "patient_name",
        "office",
        "treatment_name",
        "language_name",
        "status_shown",
        "age",
        "assignee",
    ]
    list_filter = [
        StatusFilter,
        WaitingFilter,
        "office",
        LanguageFilter,
        ("treatment", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
        "over_rate_limit",
        "spam_reason",
    ]
    search_fields = ["reference", "first_name", "last_name", "email", "phone"]
    search_help_text = "Search by reference, name, email or phone number (any format)."
    ordering = ["-created_at"]
    list_select_related = ["office", "assigned_to", "corrects"]
    list_per_page = 50
    readonly_fields = SUBMISSION_FIELDS
    fieldsets = [
        ("Workflow", {"fields": ["status", "assigned_to", "spam_reason", "updated_at"]}),
        (
            "Request",
            {
                "fields": [
                    "reference",
                    "created_at",
                    "office",
                    "treatment_name",
                    "patient_status",
                    "rate_limit_note",
                    "correction_of",
                    "corrected_by",
                ]
            },
        ),
        (
            "Patient",
            {
                "fields": [
                    "first_name",
                    "last_name",
                    "email_link",
                    "phone_link",
                    "contact_method",
                    "preferred_days_list",
                    "preferred_time",
                    "payment",
                    "language_name",
                ]
            },
        ),
        ("Message", {"fields": ["message", "medical_warning_shown"]}),
        (
            "Consent given",
            {
                "fields": [
                    "consent_to_contact",
                    "consent_to_texts",
                    "consent_text",
                    "consent_version",
                    "consented_at",
                ],
                "classes": ["collapse"],
            },
        ),
    ]
    inlines = [StaffNoteInline, StatusChangeInline, NotificationInline]
    actions = [
        "mark_contacted",
        "mark_scheduled",
        "mark_closed",
        "mark_spam",
        "mark_not_spam",
        "assign_to_me",
        "export_csv",
    ]

    class Media:
        css = {"all": ["bookings/admin.css"]}

    @admin.display(description="name", ordering="last_name")
    def patient_name(self, consultation):
        return consultation.full_name

    @admin.display(description="language", ordering="language")
    def language_name(self, consultation):
        return consultation.language_name or "–"

    @admin.display(description="status", ordering="status")
    def status_shown(self, consultation):
        flags = []
        if consultation.over_rate_limit:
            flags.append("sent over the rate limit")
        if consultation.corrects_id:
            flags.append(f"corrects {consultation.corrects.reference}")
        if consultation.latest_correction:
            flags.append(f"corrected by {consultation.latest_correction}")
        return format_html(
            "{}{}",
            consultation.get_status_display(),
            format_html_join("", ' <span class="bookings-flag">· {}</span>', ((f,) for f in flags)),
        )

    @admin.display(description="sent over the rate limit")
    def rate_limit_note(self, consultation):
        if not consultation.over_rate_limit:
            return "No"
        return (
            "Yes: its connection had sent many requests in a few minutes. Check it looks "
            "genuine before calling; the patient was asked to phone and got no email from us."
        )

    @admin.display(description="corrects")
    def correction_of(self, consultation):
        earlier = consultation.corrects
        if earlier is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a>: the patient sent the same form again with changed details; '
            "this is the newer version.",
            earlier.get_admin_url(),
            earlier.reference,
        )

    @admin.display(description="corrected by")
    def corrected_by(self, consultation):
        corrections = consultation.corrections.order_by("created_at")
        return (
            format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((correction.get_admin_url(), correction.reference) for correction in corrections),
            )
            or "–"
        )

    @admin.display(description="age", ordering="created_at")
    def age(self, consultation):
        if consultation.is_stale:
            return format_html(
                '<span class="bookings-stale">{} · waiting over a business day</span>',
                consultation.age,
            )
        return consultation.age

    @admin.display(description="assigned to", ordering="assigned_to__first_name")
    def assignee(self, consultation):
        return staff_name(consultation.assigned_to) or "–"

    @admin.display(description="email")
    def email_link(self, consultation):
        return format_html('<a href="mailto:{0}">{0}</a>', consultation.email)

    @admin.display(description="phone")
    def phone_link(self, consultation):
        shown = readable_phone(consultation.phone)
        if consultation.phone_extension:
            shown = f"{shown} ext. {consultation.phone_extension}"
        return format_html('<a href="tel:{}">{}</a>', consultation.phone, shown)

    @admin.display(description="preferred days")
    def preferred_days_list(self, consultation):
        return consultation.get_preferred_days_display() or "Any weekday"

    def has_add_permission(self, request):
        # Requests come only from patients through the website.
        return False

    def get_queryset(self, request):
        # The list's age column marks requests that stale() lists; its status column names
        # the newest correction a patient sent of a request.
        newest_correction = ConsultationRequest.objects.filter(corrects=OuterRef("pk")).order_by(
            "-created_at"
        )
        return (
            super()
            .get_queryset(request)
            .with_staleness()
            .annotate(latest_correction=Subquery(newest_correction.values("reference")[:1]))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "assigned_to" in form.base_fields:
            # Front desk by name; the current assignee stays listed, so saving keeps them.
            field = form.base_fields["assigned_to"]
            field.queryset = assignable_staff(also_pk=obj.assigned_to_id if obj else None)
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["form_class"] = StaffChoiceField
            kwargs["queryset"] = assignable_staff()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # Names are stored normalised (see normalise_name); so is what staff type.
        search_term = normalise_name(search_term)
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        phone = as_e164(search_term)
        if phone:
            results = results | queryset.filter(phone=phone)
        return results, may_have_duplicates

    def save_model(self, request, obj, form, change):
        # Through the services, as the actions do: history and emails follow a status change,
        # and saving the page unchanged changes nothing (not even updated_at, which retention
        # counts from).
        if change and "assigned_to" in form.changed_data:
            assign(obj, to=obj.assigned_to)
        if change and "status" in form.changed_data:
            change_status(obj, obj.status, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not StaffNote:
            return super().save_formset(request, form, formset, change)
        for note in formset.save(commit=False):
            if note.pk is None:
                note.author = request.user
                note.save()
        return None

    def _move(self, request, queryset, status):
        moved = sum(change_status(c, status, by=request.user) for c in queryset)
        label = Status(status).label.lower()
        self.message_user(request, f"{plural(moved, 'request')} marked {label}.")

    @admin.action(description="Mark selected as contacted", permissions=["change"])
    def mark_contacted(self, request, queryset):
        self._move(request, queryset, Status.CONTACTED)

    @admin.action(description="Mark selected as scheduled", permissions=["change"])
    def mark_scheduled(self, request, queryset):
        self._move(request, queryset, Status.SCHEDULED)

    @admin.action(description="Mark selected as closed", permissions=["change"])
    def mark_closed(self, request, queryset):
        self._move(request, queryset, Status.CLOSED)

    @admin.action(description="Mark selected as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._move(request, queryset, Status.SPAM)

    @admin.action(
        description="Not spam: move to New and send the emails it missed", permissions=["change"]
    )
    def mark_not_spam(self, request, queryset):
        moved = sum(
            change_status(c, Status.NEW, by=request.user)
            for c in queryset.filter(status=Status.SPAM)
        )
        self.message_user(
            request, f"{plural(moved, 'request')} moved to New; their emails are on the way."
        )

    @admin.action(description="Assign selected to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        assigned = sum(assign(c, to=request.user) for c in queryset)
        self.message_user(request, f"{plural(assigned, 'request')} assigned to you.")

    @admin.action(description="Export selected to CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="consultation-requests-{stamp}.csv"'
        )
        response["Cache-Control"] = "no-store"
        # A byte-order mark so spreadsheet apps read names like José Núñez correctly.
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([heading for heading, _ in CSV_COLUMNS])
        rows = queryset.select_related("office", "assigned_to", "corrects").order_by("-created_at")
        for consultation in rows:
            writer.writerow([csv_safe(value(consultation)) for _, value in CSV_COLUMNS])
        # In the transaction RecordedPatientAdminMixin opened: no record, no file.
        record_access(request=request, action=Action.EXPORT, references=[c.reference for c in rows])
        logger.info("User %s exported %d consultation requests", request.user.pk, len(rows))
        return response


CSV_COLUMNS = [
    ("Reference", lambda c: c.reference),
    ("Received", lambda c: timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M")),
    ("Status", lambda c: c.get_status_display()),
    ("Office", lambda c: c.office.name),
    ("Treatment", lambda c: c.treatment_name),
    ("First name", lambda c: c.first_name),
    ("Last name", lambda c: c.last_name),
    ("Email", lambda c: c.email),
    # US numbers in national form start with "(", so the formula guard leaves them alone.
    ("Phone", lambda c: readable_phone(c.phone)),
    ("Extension", lambda c: c.phone_extension),
    ("New or existing", lambda c: c.get_patient_status_display()),
    ("Contact by", lambda c: c.get_contact_method_display()),
    ("Texts agreed", lambda c: "yes" if c.consent_to_texts else "no"),
    ("Preferred days", lambda c: c.get_preferred_days_display()),
    ("Preferred time", lambda c: c.get_preferred_time_display()),
    ("Payment", lambda c: c.get_payment_display()),
    ("Language", lambda c: c.language_name),
    ("Assigned to", lambda c: staff_name(c.assigned_to)),
    ("Message", lambda c: c.message),
    ("Corrects", lambda c: c.corrects.reference if c.corrects_id else ""),
]


@admin.register(PurgeRun)
class PurgeRunAdmin(admin.ModelAdmin):
    list_display = ["ran_at", "dry_run", "removed_count", "statuses", "retention_days", "cutoff"]
    list_filter = ["dry_run"]
    fields = list_display
    readonly_fields = list_display

    @admin.display(description="by status")
    def statuses(self, run):
        return ", ".join(f"{status}: {n}" for status, n in run.removed_by_status.items()) or "–"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
