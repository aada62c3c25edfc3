import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from clinic_site.client_ip import get_client_ip

from .forms import ConsultationRequestForm
from .models import ConsultationRequest
from .services import submit_consultation_request
from .spam import RateLimiter, read_form_token

logger = logging.getLogger(__name__)

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


def _spam_reason(form, token) -> str:
    if form.honeypot_filled:
        return ConsultationRequest.SpamReason.HONEYPOT
    if token is None or token.filled_too_fast():
        return ConsultationRequest.SpamReason.TOO_FAST
    return ""


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

    token = read_form_token(request.POST.get("token"))
    if token:
        # The same form sent again (back button, double click): show its thanks page.
        already = (
            ConsultationRequest.objects.filter(form_token=token.nonce)
            .values_list("reference", flat=True)
            .first()
        )
        if already:
            return _show_thanks(request, already)

    form = ConsultationRequestForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, status=400)
    if form.needs_medical_warning:
        form.mark_medical_warning_shown()
        return _render_form(request, form, medical_findings=form.medical_findings)

    spam_reason = _spam_reason(form, token)
    limit = RateLimiter().hit(get_client_ip(request))
    if not limit.allowed and not limit.kept_for_review:
        logger.warning("Consultation form: rate limit far exceeded; request not stored")
        return rate_limited(request, kept=False)

    try:
        consultation, _ = submit_consultation_request(
            cleaned=form.cleaned_data,
            form_token=token.nonce if token else secrets.token_urlsafe(16),
            spam_reason=spam_reason,
            language=getattr(request, "LANGUAGE_CODE", "") or "",
            medical_warning_shown=bool(form.cleaned_data.get("medical_checked")),
            over_rate_limit=not limit.allowed,
        )
    except DatabaseError:
        # Rare (e.g. a locked database for longer than the busy timeout): keep what they typed.
        logger.exception("Consultation form: the request could not be saved")
        return _render_form(request, form, status=503, save_failed=True)
    except ValidationError as error:
        # The model refused what the form accepted: a bug of ours, not the patient's input.
        # Field names only in the log; the page keeps what they typed and offers the phones.
        fields = sorted(error.message_dict) if hasattr(error, "error_dict") else ["(form)"]
        logger.error("Consultation form: the model refused fields %s", ", ".join(fields))
        return _render_form(request, form, status=400, save_failed=True)

    if not limit.allowed:
        return rate_limited(request, kept=True)
    return _show_thanks(request, consultation.reference)


@never_cache
def thanks(request):
    reference = request.get_signed_cookie(
        THANKS_COOKIE, default=None, salt=THANKS_SALT, max_age=THANKS_MAX_AGE
    )
    consultation = (
        ConsultationRequest.objects.select_related("office").filter(reference=reference).first()
        if reference
        else None
    )
    return render(request, "bookings/thanks.html", {"consultation": consultation})
