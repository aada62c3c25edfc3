"""The consultation form over HTTP; what happens to a request is decided in services.py."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from clinic_site.client_ip import get_client_ip

from .forms import ConsultationRequestForm
from .models import ConsultationRequest
from .services import receive_consultation_request

# The thanks page reads the reference from a short-lived signed cookie, so reloading it never
# sends anything. A cookie, not the session: no database write, and no session row for patients.
THANKS_COOKIE = "consultation_ref"
THANKS_SALT = "bookings.thanks"
THANKS_MAX_AGE = 60 * 60


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


@never_cache
def thanks(request):
    reference = request.get_signed_cookie(
        THANKS_COOKIE, default=None, salt=THANKS_SALT, max_age=THANKS_MAX_AGE
    )
    consultation = (
        ConsultationRequest.objects.select_related("office", "corrects")
        .filter(reference=reference)
        .first()
        if reference
        else None
    )
    return render(request, "bookings/thanks.html", {"consultation": consultation})
