"""Two-step sign-in pages: set up an authenticator app, enter a code, renew recovery codes."""

from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from clinic_site.client_ip import get_client_ip

from . import two_step
from .forms import CodeForm
from .lockout import lock_in_force, record_failure


def next_url(request) -> str:
    """Where to go after this step: a safe `next`, else the admin index."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def page(request, template: str, title: str, **context) -> TemplateResponse:
    """An admin-styled page; no app list until the second step is done."""
    return TemplateResponse(
        request,
        template,
        {
            **admin.site.each_context(request),
            "available_apps": [],
            "is_nav_sidebar_enabled": False,
            "title": title,
            "next": next_url(request),
            **context,
        },
    )


def signed_out_because_locked(request):
    logout(request)
    messages.error(
        request,
        "This account is locked for a while after many failed sign-ins. Please try again "
        "later, or ask a site administrator to lift the lock.",
    )
    return redirect("admin:login")


def staff_only(view):
    return never_cache(login_required(view, login_url="admin:login"))


@staff_only
@require_http_methods(["GET", "POST"])
def set_up(request):
    """Scan a QR code (or type the key), then confirm with the first code; no JavaScript."""
    if request.user.is_verified():
        return redirect("staff:two_step")
    if two_step.has_second_factor(request.user):
        # Replacing a working app needs the old one first: sign in with it, then set up anew.
        return redirect(f"{reverse('staff:verify')}?next={reverse('staff:two_step')}")
    if lock_in_force(request.user.get_username()):
        return signed_out_because_locked(request)
    device = two_step.pending_app_device(request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        codes = two_step.confirm_app_device(device, form.cleaned_data["code"])
        if codes is not None:
            request.session.cycle_key()
            otp_login(request, device)
            return page(
                request,
                "staff/recovery_codes.html",
                "Save your recovery codes",
                codes=codes,
                first_time=True,
            )
        if not device.verify_is_allowed()[0]:
            form.add_error(
                "code", "Too many wrong codes in a row. Please wait a minute, then try again."
            )
        else:
            form.add_error(
                "code", "That code did not match. Please enter the code your app shows now."
            )
    return page(
        request,
        "staff/set_up.html",
        "Set up two-step sign-in",
        form=form,
        qr_code=two_step.qr_code_data_uri(device),
        key=two_step.readable_key(device),
    )


@staff_only
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of signing in: a code from the app, or a recovery code."""
    user = request.user
    if user.is_verified():
        return HttpResponseRedirect(next_url(request))
    if not two_step.has_second_factor(user):
        return redirect(f"{reverse('staff:set_up')}?{urlencode({'next': next_url(request)})}")
    if lock_in_force(user.get_username()):
        return signed_out_because_locked(request)
    form = CodeForm(request.POST or None, recovery_allowed=True)
    if form.is_valid():
        app_code = form.is_app_code
        device = two_step.verified_device(user, form.cleaned_data["code"], app_code=app_code)
        if device is not None:
            request.session.cycle_key()
            otp_login(request, device)
            return HttpResponseRedirect(next_url(request))
        if two_step.throttled(user, app_code=app_code):
            form.add_error(
                "code", "Too many wrong codes in a row. Please wait a minute, then try again."
            )
        else:
            form.add_error(
                "code",
                "That code did not match. Please enter the code your app shows now, "
                "or a recovery code you have not used before.",
            )
        # A wrong second factor counts towards the account's limit like a wrong password.
        record_failure(username=user.get_username(), client_ip=get_client_ip(request))
        if lock_in_force(user.get_username()):
            return signed_out_because_locked(request)
    return page(request, "staff/verify.html", "Enter your sign-in code", form=form)


@staff_only
@require_http_methods(["GET", "POST"])
def overview(request):
    """Your two-step sign-in: what is set up, and new recovery codes on request."""
    if not request.user.is_verified():
        return redirect(f"{reverse('staff:verify')}?{urlencode({'next': request.path})}")
    if request.method == "POST":
        codes = two_step.new_recovery_codes(request.user)
        return page(
            request,
            "staff/recovery_codes.html",
            "Your new recovery codes",
            codes=codes,
            first_time=False,
        )
    recovery = two_step.recovery_device(request.user)
    return page(
        request,
        "staff/overview.html",
        "Two-step sign-in",
        app=two_step.app_device(request.user),
        recovery_left=recovery.token_set.count() if recovery else 0,
    )
