"""The consultation form over HTTP; what happens to a request is decided in services.py."""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from clinic_site.client_ip import get_client_ip
from clinic_site.views import error_page_context

from .forms import ConsultationRequestForm
from .models import ConsultationRequest
from .services import receive_consultation_request

# The thanks page reads the reference from a short-lived signed cookie, so reloading it never
# sends anything. A cookie, not the session: no database write, and no session row for patients.
THANKS_COOKIE = "consultation_ref"
THANKS_SALT = "bookings.thanks"
THANKS_MAX_AGE = 60 * 60
# Shown for editing on the page that keeps a patient's answers while the database is away;
# every other answer (choices, consent, the form token) is carried along unseen.
KEPT_FOR_EDITING = ["first_name", "last_name", "email", "phone", "phone_extension", "message"]

logger = logging.getLogger(__name__)


def _render_form(request, form, *, status=200, **extra):
    context = {"form": form, **extra}
    return render(request, "bookings/request_form.html", context, status=status)


def _show_thanks(request, reference: str):
    response = redirect("bookings:thanks")
    response.set_signed_cookie(
        THANKS_COOKIE,
        reference,
        salt=THANKS_SALT,
        max_age=THANKS_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def rate_limited(request, *, kept: bool):
    response = render(request, "429.html", {"kept": kept}, status=429)
    response["Retry-After"] = str(settings.BOOKINGS_RATE_LIMIT_WINDOW)
    return response


@never_cache
def request_consultation(request):
    if request.method != "POST":
        form = ConsultationRequestForm(
            office_slug=request.GET.get("office"), treatment_slug=request.GET.get("treatment")
        )
        return _render_form(request, form)

    try:
        received = receive_consultation_request(
            data=request.POST,
            client_ip=get_client_ip(request),
            language=getattr(request, "LANGUAGE_CODE", "") or "",
        )
        if received.show == "thanks":
            return _show_thanks(request, received.reference)
        if received.show == "rate_limited":
            return rate_limited(request, kept=received.kept)
        return _render_form(
            request,
            received.form,
            status=received.status,
            medical_findings=list(received.medical_findings),
            save_failed=received.save_failed,
        )
    except DatabaseError as error:
        # The form and its choices need the database; the patient's answers do not.
        logger.error("Consultation form: database unavailable (%s)", type(error).__name__)
        return answers_kept(request)


def answers_kept(request):
    """503 showing what the patient typed, ready to send again, built without the database."""
    fields = ConsultationRequestForm.base_fields
    editable = [
        {"name": name, "label": fields[name].label, "value": request.POST.get(name, "")}
        for name in KEPT_FOR_EDITING
        if name in fields
    ]
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in KEPT_FOR_EDITING and name != "csrfmiddlewaretoken"
        for value in values
    ]
    context = {**error_page_context(), "editable": editable, "carried": carried}
    return render(request, "bookings/answers_kept.html", context, status=503)


@never_cache
def thanks(request):
    reference = request.get_signed_cookie(
        THANKS_COOKIE, default=None, salt=THANKS_SALT, max_age=THANKS_MAX_AGE
    )
    context = {"consultation": None, "reference": reference}
    try:
        if reference:
            context["consultation"] = (
                ConsultationRequest.objects.select_related("office", "corrects")
                .filter(reference=reference)
                .first()
            )
        return render(request, "bookings/thanks.html", context)
    except DatabaseError as error:
        # The request was committed before this page: the reference alone says so.
        logger.error("Thanks page: database unavailable (%s)", type(error).__name__)
        return render(request, "bookings/thanks.html", {**context, **error_page_context()})
