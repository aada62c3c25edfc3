import csv
import logging

import phonenumbers
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language_info

from staff.access import Action, record_access
from staff.admin_mixins import RecordedPatientAdminMixin

from .models import ConsultationRequest, Notification, PurgeRun, StaffNote, StatusChange
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


class StaffNoteInline(admin.TabularInline):
    model = StaffNote
    extra = 1
    fields = ["body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    can_delete = False
    verbose_name = "staff note"
    verbose_name_plural = "staff notes (visible to staff only)"

    def has_change_permission(self, request, obj=None):
        # Notes are a record: staff add new ones, nobody rewrites old ones.
        return False


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = ["changed_at", "from_status", "to_status", "who"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "status history"

    @admin.display(description="by")
    def who(self, change):
        return change.changed_by or "the website"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NotificationInline(admin.TabularInline):
    model = Notification
    extra = 0
    fields = ["kind", "status", "attempts", "last_attempt_at", "sent_at", "last_error"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "emails"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


SUBMISSION_FIELDS = [
    "reference",
    "created_at",
    "office",
    "treatment",
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
        "treatment",
        "language_name",
        "status",
        "age",
        "assigned_to",
    ]
    list_filter = [
        StatusFilter,
        WaitingFilter,
        "office",
        LanguageFilter,
        ("treatment", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
        "spam_reason",
    ]
    search_fields = ["reference", "first_name", "last_name", "email", "phone"]
    search_help_text = "Search by reference, name, email or phone number (any format)."
    ordering = ["-created_at"]
    list_select_related = ["office", "treatment", "assigned_to"]
    list_per_page = 50
    readonly_fields = SUBMISSION_FIELDS
    fieldsets = [
        ("Workflow", {"fields": ["status", "assigned_to", "spam_reason", "updated_at"]}),
        (
            "Request",
            {"fields": ["reference", "created_at", "office", "treatment", "patient_status"]},
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

    @admin.display(description="age", ordering="created_at")
    def age(self, consultation):
        if consultation.is_stale:
            return format_html(
                '<span class="bookings-stale">{} · waiting over a business day</span>',
                consultation.age,
            )
        return consultation.age

    @admin.display(description="email")
    def email_link(self, consultation):
        return format_html('<a href="mailto:{0}">{0}</a>', consultation.email)

    @admin.display(description="phone")
    def phone_link(self, consultation):
        number = phonenumbers.parse(consultation.phone)
        shown = phonenumbers.format_number(
            number,
            phonenumbers.PhoneNumberFormat.NATIONAL
            if number.country_code == 1
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        )
        if consultation.phone_extension:
            shown = f"{shown} ext. {consultation.phone_extension}"
        return format_html('<a href="tel:{}">{}</a>', consultation.phone, shown)

    @admin.display(description="preferred days")
    def preferred_days_list(self, consultation):
        return consultation.get_preferred_days_display() or "Any weekday"

    def has_add_permission(self, request):
        # Requests come only from patients through the website.
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        phone = as_e164(search_term)
        if phone:
            results = results | queryset.filter(phone=phone)
        return results, may_have_duplicates

    def save_model(self, request, obj, form, change):
        new_status = obj.status
        status_changed = change and "status" in form.changed_data
        if status_changed:
            # The status moves through change_status() so history and emails follow.
            obj.status = form.initial["status"]
        obj.save(update_fields=["assigned_to", "updated_at"])
        if status_changed:
            change_status(obj, new_status, by=request.user)

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
        assigned = sum(assign(c, request.user) for c in queryset)
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
        rows = queryset.select_related("office", "treatment", "assigned_to").order_by("-created_at")
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
    ("Treatment", lambda c: c.treatment or ""),
    ("First name", lambda c: c.first_name),
    ("Last name", lambda c: c.last_name),
    ("Email", lambda c: c.email),
    ("Phone", lambda c: c.phone),
    ("Extension", lambda c: c.phone_extension),
    ("New or existing", lambda c: c.get_patient_status_display()),
    ("Contact by", lambda c: c.get_contact_method_display()),
    ("Texts agreed", lambda c: "yes" if c.consent_to_texts else "no"),
    ("Preferred days", lambda c: c.get_preferred_days_display()),
    ("Preferred time", lambda c: c.get_preferred_time_display()),
    ("Payment", lambda c: c.get_payment_display()),
    ("Language", lambda c: c.language_name),
    ("Assigned to", lambda c: c.assigned_to or ""),
    ("Message", lambda c: c.message),
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
