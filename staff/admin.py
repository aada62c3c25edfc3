import csv

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef
from django.forms import CheckboxSelectMultiple
from django.http import HttpResponse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import StaffAuthenticationForm
from .models import AccessRecord, AccountLock, StaffProfile
from .two_step import reset_devices

User = get_user_model()

# The admin login says so when an account is locked (the second step follows on its own page).
admin.site.login_form = StaffAuthenticationForm

# Devices hold secret keys: nobody browses them; a superuser resets them from the user's page.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


class StaffAdminMedia:
    css = {"all": ["staff/admin.css"]}


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    """Read-only for everyone: the record cannot be added to, changed or deleted in admin."""

    list_display = ["at", "username", "action", "what", "address_hash"]
    list_filter = [
        "action",
        ("user", admin.RelatedOnlyFieldListFilter),
        ("at", admin.DateFieldListFilter),
    ]
    search_fields = ["reference", "references", "username", "detail"]
    search_help_text = (
        "A request reference (e.g. ENC-7K3F9Q) finds its views, status changes and the exports "
        "that held it; or search by staff username or search words."
    )
    date_hierarchy = "at"
    fields = ["at", "username", "action", "reference", "references", "detail", "address_hash"]
    readonly_fields = fields
    list_per_page = 100
    show_full_result_count = False
    actions = ["export_csv"]

    Media = StaffAdminMedia

    @admin.display(description="request or search")
    def what(self, record):
        if record.action == AccessRecord.Action.EXPORT:
            count = len(record.references.split()) if record.references else 0
            return f"{count} request{'s' if count != 1 else ''}"
        return record.reference or record.detail

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term and " " not in term and "-" in term:
            return queryset.mentioning(term), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Export selected to CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="access-record-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(["When", "Staff", "Action", "Reference", "Exported", "Detail", "Address"])
        for record in queryset.order_by("at", "pk"):
            writer.writerow(
                [
                    timezone.localtime(record.at).strftime("%Y-%m-%d %H:%M:%S"),
                    record.username,
                    record.get_action_display(),
                    record.reference,
                    " ".join(record.references.split()),
                    # A leading quote keeps a spreadsheet from running a search term as a formula.
                    "'" + record.detail if record.detail[:1] in "=+-@\t\r" else record.detail,
                    record.address_hash,
                ]
            )
        return response


@admin.register(AccountLock)
class AccountLockAdmin(admin.ModelAdmin):
    list_display = ["username", "locked_at", "locked_until", "failures", "in_force"]
    fields = ["username", "locked_at", "locked_until", "failures"]
    readonly_fields = fields
    search_fields = ["username"]
    actions = ["lift"]
    Media = StaffAdminMedia

    @admin.display(boolean=True, description="in force")
    def in_force(self, lock):
        return lock.locked_until > timezone.now()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_lift_permission(self, request):
        return request.user.is_superuser

    @admin.action(description="Lift the selected locks now", permissions=["lift"])
    def lift(self, request, queryset):
        lifted = queryset.in_force().update(locked_until=timezone.now())
        self.message_user(request, f"{lifted} lock{'s' if lifted != 1 else ''} lifted.")


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    max_num = 1
    fields = ["all_offices", "offices", "notify_new_requests"]
    verbose_name_plural = "offices whose requests this person sees"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Checkboxes work without JavaScript and read well for two or three offices.
        kwargs["widget"] = CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TwoStepDeviceInline(admin.TabularInline):
    """What second factor a person has; reset with the action on the user list."""

    model = TOTPDevice
    fields = ["name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "authenticator app"
    verbose_name_plural = "two-step sign-in (authenticator app)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline, TwoStepDeviceInline]
    list_display = [*UserAdmin.list_display, "two_step"]
    actions = ["reset_two_step"]
    Media = StaffAdminMedia

    def get_inlines(self, request, obj):
        # Offices and devices are set on the user's page once the account exists.
        return self.inlines if obj is not None else []

    def get_queryset(self, request):
        has_app = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_step=Exists(has_app))

    @admin.display(boolean=True, description="two-step set up", ordering="has_two_step")
    def two_step(self, user):
        return user.has_two_step

    def has_reset_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description="Reset two-step sign-in (lost phone): set up again at next sign-in",
        permissions=["reset"],
    )
    def reset_two_step(self, request, queryset):
        users = list(queryset)
        for user in users:
            reset_devices(user=user, by=request.user)
        names = ", ".join(user.get_username() for user in users)
        self.message_user(
            request,
            f"Two-step sign-in reset for {names}. They set up a new authenticator app at their "
            "next sign-in; tell them in person or by phone, not by email.",
            messages.SUCCESS,
        )
