from django.contrib import admin

from .models import Office, OpeningHours


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "phone", "consultation_email"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "reference_prefix", "sort_order"]}),
        ("Address", {"fields": ["street_address", "city", "state", "postal_code", "directions"]}),
        ("Contact", {"fields": ["phone", "consultation_email"]}),
        ("Map position", {"fields": ["latitude", "longitude"], "classes": ["collapse"]}),
    ]
