"""For the admin of patients' requests: each office sees its own, and every look is recorded."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404

from .access import Action, record_access, serving
from .offices import scoped_to_offices, visible_offices
from .search import as_phone, as_reference


class OwnOfficesFilter(admin.SimpleListFilter):
    """The office filter, offering only the offices this person works for."""

    title = "office"
    # The same parameter as Django's own office filter, so links to it keep working.
    parameter_name = "office__id__exact"

    def lookups(self, request, model_admin):
        return [(str(office.pk), office.name) for office in visible_offices(request.user)]

    def queryset(self, request, queryset):
        if self.value() in {str(pk) for pk, _ in self.lookup_choices}:
            return queryset.filter(office_id=self.value())
        return queryset


class RecordedPatientAdminMixin:
    """Mix into a ModelAdmin whose model has an `office` and whose str() is its reference.

    The list, search, filters, actions and change page see only the user's offices (another
    office's request is a 404, as is one that does not exist); opening a change page, searching
    the list and changing a status are recorded in the access record in the same transaction,
    so nothing is shown or changed unless its record is kept. Exports record themselves by
    calling staff.access.record_access() with the references they hold.
    """

    office_field = "office"
    short_word_fields = ["first_name", "last_name"]
    # The count of everything, unfiltered, is a full scan at scale; "Show all" still works.
    show_full_result_count = False

    def get_queryset(self, request):
        return scoped_to_offices(
            super().get_queryset(request), request.user, office_field=self.office_field
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(f"No request {unquote(object_id)!r} among your offices' requests.")
        return obj

    def get_list_filter(self, request):
        # "Only the treatments that have requests" reads every request to find out: at scale
        # the plain list of treatments is the same filter for a fraction of the cost.
        # And the office filter offers only this person's offices.
        own = {self.office_field: OwnOfficesFilter}
        return [
            spec[0]
            if isinstance(spec, tuple) and spec[1] is admin.RelatedOnlyFieldListFilter
            else own.get(spec, spec)
            if isinstance(spec, str)
            else spec
            for spec in super().get_list_filter(request)
        ]

    def get_search_results(self, request, queryset, search_term):
        # A reference or a phone number names one patient: looked up exactly, by index, instead
        # of matching its pieces anywhere in five columns.
        reference = as_reference(search_term)
        if reference:
            return queryset.filter(reference=reference), False
        phone = as_phone(search_term)
        if phone:
            return queryset.filter(phone=phone), False
        # Words of one or two letters ("Li", "Wu") match a whole first or last name: a part of
        # a word that short is in most rows, and no index can find it.
        words = search_term.split()
        for word in (w for w in words if len(w) < 3):
            whole_name = Q()
            for field in self.short_word_fields:
                whole_name |= Q(**{f"{field}__iexact": word})
            queryset = queryset.filter(whole_name)
        longer = " ".join(w for w in words if len(w) >= 3)
        if not longer:
            return queryset, False
        return super().get_search_results(request, queryset, longer)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied  # before the lookup: no 404-or-403 hint of what exists
        with transaction.atomic(), serving(request):
            response = super().change_view(request, object_id, form_url, extra_context)
            original = (getattr(response, "context_data", None) or {}).get("original")
            if request.method == "GET" and original is not None:
                record_access(request=request, action=Action.VIEW, reference=str(original))
            if hasattr(response, "render"):
                # Rendered here, so no patient data leaves unless its record is committed.
                response.render()
        return response

    def changelist_view(self, request, extra_context=None):
        term = request.GET.get(SEARCH_VAR, "").strip()
        if request.method != "POST" and not term:
            return super().changelist_view(request, extra_context)
        # Only views that write take a transaction (on SQLite it is the write lock).
        with transaction.atomic(), serving(request):
            response = super().changelist_view(request, extra_context)
            if request.method == "GET" and response.status_code == 200:
                record_access(request=request, action=Action.SEARCH, detail=term)
            if hasattr(response, "render"):
                response.render()
        return response
