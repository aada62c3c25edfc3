"""For the admin of patients' requests: each office sees its own, and every look is recorded."""

import re

from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from .access import Action, record_access, serving
from .offices import scoped_to_offices

# An office prefix and six characters, e.g. ENC-7K3F9Q: looked up exactly, by its unique index.
REFERENCE_SHAPE = re.compile(r"^[A-Za-z]{2,4}-[A-Za-z0-9]{6}$")


class RecordedPatientAdminMixin:
    """Mix into a ModelAdmin whose model has an `office` and whose str() is its reference.

    The list, search, filters, actions and change page see only the user's offices (another
    office's request is a 404, as is one that does not exist); opening a change page, searching
    the list and changing a status are recorded in the access record in the same transaction,
    so nothing is shown or changed unless its record is kept. Exports record themselves by
    calling staff.access.record_access() with the references they hold.
    """

    office_field = "office"
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

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if REFERENCE_SHAPE.match(term):
            return queryset.filter(reference=term.upper()), False
        return super().get_search_results(request, queryset, search_term)

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
