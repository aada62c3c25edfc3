"""No admin page, and no staff power anywhere, before the second step of signing in."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .two_step import has_second_factor

# Reachable between the password and the code: the two-step pages themselves, and signing out.
OPEN_BEFORE_SECOND_STEP = {"staff:set_up", "staff:verify", "admin:logout", "admin:login"}


class SecondFactorRequiredMiddleware:
    """After django_otp's OTPMiddleware: a session signed in with a password alone is sent to
    enter a code (or to set up an app first) for any admin page, and counts as anonymous on
    every other page (no draft previews)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match and match.view_name in OPEN_BEFORE_SECOND_STEP:
            return None
        if not request.path_info.startswith(self.admin_prefix):
            request.user = AnonymousUser()
            return None
        step = "staff:verify" if has_second_factor(user) else "staff:set_up"
        target = reverse(step)
        if request.method == "GET" and match and match.view_name != "admin:index":
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return redirect(target)
